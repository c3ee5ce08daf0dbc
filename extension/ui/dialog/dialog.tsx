/**
 * The card dialog: which site asks (first, and large), which certificate, the
 * PIN, and what signing or sharing means. Every control has a label; Enter
 * submits, Escape and Cancel always cancel.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { OFFERS_TRY_AGAIN } from '../../../shared/errors.js';
import { LANGUAGE_NAMES, LANGUAGES, type Language } from '../../../shared/text/format.js';
import { dialogText, errorText, pinIncorrectText, type DialogTextKey } from './texts/index.js';
import type { SignDocumentPreview } from '../../../shared/protocol.js';
import type { DialogAction, DialogCertificate, DialogState } from '../../lib/messages.js';

export interface DialogProps {
  state: DialogState;
  send(action: DialogAction): void;
  close(): void;
}

const PIN_INPUT = /^[0-9]{4,12}$/;
function formatDate(iso: string, language: Language): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(`${language}-BE`, { year: 'numeric', month: 'long', day: 'numeric' }).format(date);
}

function hostOf(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return origin;
  }
}

function CertificateDetails({ certificate, language }: { certificate: DialogCertificate; language: Language }) {
  return (
    <div class="certificate" data-certificate={certificate.certificate}>
    <dl>
      <dt>{dialogText(language, 'cert.subject')}</dt>
      <dd>{certificate.commonName || certificate.subject}</dd>
      <dt>{dialogText(language, 'cert.issuer')}</dt>
      <dd>{certificate.issuer}</dd>
      <dt>{dialogText(language, 'cert.serial')}</dt>
      <dd class="mono">{certificate.serialNumber}</dd>
    </dl>
    <p class="validity">{dialogText(language, 'cert.validity', { from: formatDate(certificate.notBefore, language), to: formatDate(certificate.notAfter, language) })}</p>
    </div>
  );
}

/**
 * What the page says is signed: title, page count and the first page. The
 * background checked it (shared/protocol.ts SIGN_DOCUMENT_PREVIEW): the
 * picture is a PNG within the size limits, shown from those bytes only.
 */
function SignedDocument({ document, language }: { document: SignDocumentPreview; language: Language }) {
  return (
    <section id="sign-document" class="document" aria-labelledby="sign-document-heading">
      <h2 id="sign-document-heading">{dialogText(language, 'sign.document')}</h2>
      <div class="document-preview">
        {document.firstPage ? (
          <img id="sign-first-page" class="first-page" src={`data:image/png;base64,${document.firstPage}`} alt={dialogText(language, 'sign.firstPage', { title: document.title })} />
        ) : (
          <p id="sign-first-page-missing" class="first-page missing">
            {dialogText(language, 'sign.firstPageMissing')}
          </p>
        )}
        <dl>
          <dt>{dialogText(language, 'sign.title')}</dt>
          <dd id="sign-title">{document.title}</dd>
          <dt>{dialogText(language, 'sign.pages')}</dt>
          <dd id="sign-page-count">{dialogText(language, 'sign.pageCount', { n: document.pageCount })}</dd>
        </dl>
      </div>
    </section>
  );
}

const TITLES: Record<DialogState['kind'], DialogTextKey> = {
  authenticate: 'title.authenticate',
  sign: 'title.sign',
  'get-signing-certificate': 'title.get-signing-certificate',
  'read-identity': 'title.read-identity',
};

const SUBMIT_LABELS: Record<DialogState['kind'], DialogTextKey> = {
  authenticate: 'button.authenticate',
  sign: 'button.sign',
  'get-signing-certificate': 'button.share',
  'read-identity': 'button.share',
};

const IDENTITY_FIELDS: DialogTextKey[] = [
  'identity.name',
  'identity.nationalNumber',
  'identity.birth',
  'identity.nationality',
  'identity.sex',
  'identity.card',
  'identity.address',
];

export function Dialog({ state, send, close }: DialogProps) {
  const [language, setLanguage] = useState<Language>(state.language);
  const [chosen, setChosen] = useState<string | undefined>(state.selectedCertificate);
  const [pin, setPin] = useState('');
  const [pinInvalid, setPinInvalid] = useState(false);
  const [includePhoto, setIncludePhoto] = useState(state.identity?.photoRequested ?? false);
  const pinRef = useRef<HTMLInputElement>(null);
  const submitRef = useRef<HTMLButtonElement>(null);

  const certificates = state.certificates;
  const selected = certificates.find((c) => c.certificate === chosen) ?? certificates[0];
  const pinPad = selected?.pinPad ?? false;
  const askPin = state.needsPin && !pinPad && !state.blocked;
  const problem = state.problem;

  useEffect(() => {
    document.documentElement.lang = language;
    document.title = `${dialogText(language, TITLES[state.kind])} – eID Bridge`;
  }, [language, state.kind]);

  // After a wrong PIN: empty the field and put the cursor back in it.
  useEffect(() => {
    if (problem?.code === 'PIN_INCORRECT' || problem?.code === 'PIN_FORMAT') setPin('');
    if (state.busy) return;
    if (askPin) pinRef.current?.focus();
    else submitRef.current?.focus();
  }, [problem, state.busy, askPin]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        cancel();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  function cancel() {
    send({ type: 'cancel' });
    close();
  }

  function submit(event: Event) {
    event.preventDefault();
    if (state.busy || state.blocked || !selected) return;
    if (askPin && !PIN_INPUT.test(pin)) {
      setPinInvalid(true);
      pinRef.current?.focus();
      return;
    }
    setPinInvalid(false);
    const action: DialogAction = { type: 'submit', certificate: selected.certificate };
    if (askPin) action.pin = pin;
    if (state.kind === 'read-identity') action.includePhoto = includePhoto;
    send(action);
    // The PIN is not kept in the page longer than needed.
    setPin('');
  }

  const problemText =
    problem === undefined
      ? undefined
      : problem.code === 'PIN_INCORRECT'
        ? pinIncorrectText(language, problem.triesLeft)
        : errorText(language, problem.code);
  const canRetry = problem !== undefined && OFFERS_TRY_AGAIN.has(problem.code);

  return (
    <main class="dialog" aria-labelledby="title">
      <header class="top">
        <h1 id="title">{dialogText(language, TITLES[state.kind])}</h1>
        <label class="language">
          <span>{dialogText(language, 'language')}</span>
          <select id="language" value={language} onChange={(e) => setLanguage((e.currentTarget as HTMLSelectElement).value as Language)}>
            {LANGUAGES.map((l) => (
              <option key={l} value={l} lang={l}>
                {LANGUAGE_NAMES[l]}
              </option>
            ))}
          </select>
        </label>
      </header>

      <section class={state.government ? 'origin' : 'origin untrusted'} aria-labelledby="origin-label">
        <p id="origin-label" class="origin-label">
          {dialogText(language, 'origin.label')}
        </p>
        <p id="origin" class="origin-host" title={state.origin}>
          {hostOf(state.origin)}
        </p>
        {state.government ? (
          <p class="government">✓ {dialogText(language, 'origin.government')}</p>
        ) : (
          <p id="origin-warning" class="warning" role="note">
            ⚠ {dialogText(language, 'origin.warning')}
          </p>
        )}
      </section>

      {state.blocked ? (
        <section class="blocked" role="alert" aria-labelledby="blocked-title">
          <h2 id="blocked-title">{dialogText(language, 'blocked.title')}</h2>
          <p>{dialogText(language, 'blocked.text')}</p>
          <div class="buttons">
            <button id="cancel" type="button" onClick={cancel}>
              {dialogText(language, 'button.close')}
            </button>
          </div>
        </section>
      ) : (
        <form onSubmit={submit} noValidate>
          {certificates.length > 1 ? (
            <fieldset class="certificates">
              <legend>{dialogText(language, 'cert.choose')}</legend>
              {certificates.map((c, index) => (
                <label key={c.certificate} class="choice">
                  <input
                    type="radio"
                    name="certificate"
                    value={c.certificate}
                    data-index={index}
                    checked={c.certificate === selected?.certificate}
                    onChange={() => setChosen(c.certificate)}
                  />
                  <CertificateDetails certificate={c} language={language} />
                </label>
              ))}
            </fieldset>
          ) : selected ? (
            <section aria-labelledby="cert-heading">
              <h2 id="cert-heading">{dialogText(language, 'cert.heading')}</h2>
              <CertificateDetails certificate={selected} language={language} />
            </section>
          ) : null}

          {state.kind === 'authenticate' && <p class="consent">{dialogText(language, 'consent.authenticate')}</p>}
          {state.kind === 'get-signing-certificate' && <p class="consent">{dialogText(language, 'consent.certificate')}</p>}
          {state.kind === 'sign' && state.sign?.document && <SignedDocument document={state.sign.document} language={language} />}
          {state.kind === 'sign' && state.sign && (
            <section class="consent" aria-labelledby="sign-consent">
              <p id="sign-consent">{dialogText(language, 'consent.sign')}</p>
              <dl>
                <dt>{dialogText(language, 'sign.hash')}</dt>
                <dd id="sign-hash" class="mono hash">
                  {state.sign.hashHex}
                </dd>
                <dt>{dialogText(language, 'sign.algorithm')}</dt>
                <dd id="sign-algorithm">{state.sign.hashFunction}</dd>
              </dl>
            </section>
          )}
          {state.kind === 'read-identity' && (
            <section class="consent" aria-labelledby="identity-consent">
              <p id="identity-consent">{dialogText(language, 'consent.identity')}</p>
              <ul id="identity-fields">
                {IDENTITY_FIELDS.map((key) => (
                  <li key={key}>{dialogText(language, key)}</li>
                ))}
              </ul>
              {state.identity?.photoRequested && (
                <label class="checkbox">
                  <input
                    id="include-photo"
                    type="checkbox"
                    checked={includePhoto}
                    onChange={(e) => setIncludePhoto((e.currentTarget as HTMLInputElement).checked)}
                  />
                  {dialogText(language, 'identity.photo')}
                </label>
              )}
            </section>
          )}

          {problemText && (
            <p id="problem" class="problem" role="alert">
              {problemText}
            </p>
          )}

          {askPin && (
            <div class="pin">
              <label for="pin">{dialogText(language, 'pin.label')}</label>
              <input
                id="pin"
                ref={pinRef}
                type="password"
                inputMode="numeric"
                autoComplete="off"
                pattern="[0-9]*"
                minLength={4}
                maxLength={12}
                required
                value={pin}
                disabled={state.busy || !selected}
                aria-invalid={pinInvalid || problem?.code === 'PIN_INCORRECT'}
                aria-describedby={problemText ? 'pin-help problem' : 'pin-help'}
                onInput={(e) => {
                  const input = e.currentTarget as HTMLInputElement;
                  const digits = input.value.replace(/[^0-9]/g, '').slice(0, 12);
                  if (digits !== input.value) input.value = digits;
                  setPin(digits);
                  setPinInvalid(false);
                }}
              />
              <p id="pin-help" class={pinInvalid ? 'help invalid' : 'help'}>
                {pinInvalid ? dialogText(language, 'pin.invalid') : dialogText(language, 'pin.help')}
                {state.triesLeft !== undefined && problem?.code !== 'PIN_INCORRECT' && state.triesLeft < 3
                  ? ` ${dialogText(language, 'pin.triesLeft', { n: state.triesLeft })}`
                  : ''}
              </p>
            </div>
          )}
          {state.needsPin && pinPad && <p class="pinpad">{dialogText(language, 'pinpad.prompt')}</p>}

          <p id="status" class="status" role="status" aria-live="polite">
            {state.busy ? (pinPad && state.needsPin ? dialogText(language, 'pinpad.now') : dialogText(language, 'busy')) : ''}
          </p>

          <div class="buttons">
            {canRetry && (
              <button id="retry" type="button" disabled={state.busy} onClick={() => send({ type: 'retry' })}>
                {dialogText(language, 'button.retry')}
              </button>
            )}
            <button id="cancel" type="button" onClick={cancel}>
              {dialogText(language, 'button.cancel')}
            </button>
            <button id="submit" ref={submitRef} type="submit" class="primary" disabled={state.busy || !selected}>
              {dialogText(language, pinPad && state.needsPin ? 'button.continue' : SUBMIT_LABELS[state.kind])}
            </button>
          </div>
        </form>
      )}
    </main>
  );
}

/**
 * The activation wizards of "Mijn digitale sleutels": SMS in three steps
 * (contact data, mobile number with registration code, confirmation) with
 * the step indicator, e-mail (registration code by e-mail), mobile app (QR
 * code, then the app's code), username and password, and deactivation.
 */
import { useState } from 'preact/hooks';
import type { Language } from '../../../shared/text/format.js';
import { type BackendApi, type CodeKey, type KeysOverview, type RegistrationStarted } from '../../popup/backend-api.js';
import type { Translate } from './texts/index.js';
import { codeProblem, credentialsProblems, emailProblem, hasErrors, phoneProblem, type FieldErrors } from '../../popup/validation.js';
import { ErrorLine, Field, StepIndicator } from './common.js';
import { useFailure, WizardButtons } from './wizard-parts.js';

export interface WizardProps {
  backend: BackendApi;
  overview: KeysOverview;
  t: Translate;
  language: Language;
  /** Back to the overview, with the new overview when something changed. */
  done(overview?: KeysOverview): void;
  /** Log out, so the person can log in again (changes need a login of the last 5 minutes). */
  reauth?(): void;
}

function Confirmation({ t, overview, done }: { t: Translate; overview: KeysOverview; done(o: KeysOverview): void }) {
  return (
    <div class="confirmation" id="wizard-done" role="status">
      <p class="success">{t('keys.done')}</p>
      <p class="note">{t('keys.changed')}</p>
      <div class="buttons">
        <button type="button" class="primary" id="back-to-keys" onClick={() => done(overview)}>
          {t('common.back')}
        </button>
      </div>
    </div>
  );
}

/** SMS: Stap 1 Contactgegevens → Stap 2 gsm-nummer activeren → Stap 3 Bevestiging. */
export function SmsWizard({ backend, overview, t, language, done, reauth }: WizardProps) {
  const [step, setStep] = useState(0);
  const [email, setEmail] = useState(overview.contact.email ?? '');
  const [phone, setPhone] = useState('+32');
  const [code, setCode] = useState('');
  const [started, setStarted] = useState<RegistrationStarted | undefined>();
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<'email' | 'phone' | 'code'>>({});
  const [result, setResult] = useState<KeysOverview | undefined>();
  const { error, busy, attempt } = useFailure(t, language, reauth);

  async function contactNext(event: Event) {
    event.preventDefault();
    const problem = emailProblem(email);
    setFieldErrors({ email: problem });
    if (problem) return;
    if (email.trim().toLowerCase() !== (overview.contact.email ?? '')) {
      if (!(await attempt(() => backend.setEmail(email.trim())))) return;
    }
    setStep(1);
  }

  async function send() {
    const problem = phoneProblem(phone);
    setFieldErrors({ phone: problem });
    if (problem) return;
    const s = await attempt(() => backend.startKey('sms', { phone: phone.trim() }));
    if (s) setStarted(s);
  }

  async function confirm(event: Event) {
    event.preventDefault();
    const problem = started ? codeProblem(code) : 'v.required';
    setFieldErrors({ code: problem });
    if (problem || !started) return;
    const o = await attempt(() => backend.confirmKey('sms', started.registrationId, code.replace(/\s/g, '')));
    if (o) {
      setResult(o);
      setStep(2);
    }
  }

  return (
    <section class="wizard" id="wizard-sms" aria-labelledby="wizard-title">
      <h2 id="wizard-title">{t('sms.title')}</h2>
      <StepIndicator steps={[t('sms.step1'), t('sms.step2'), t('sms.step3')]} current={step} />
      {step === 0 ? (
        <form onSubmit={contactNext} noValidate>
          <p>{t('sms.checkEmail')}</p>
          <Field id="contact-email" label={t('sms.email')} type="email" autocomplete="email" value={email} onInput={setEmail} error={fieldErrors.email && t(fieldErrors.email)} />
          <ErrorLine>{error}</ErrorLine>
          <WizardButtons t={t} onCancel={() => done()} disabled={busy} />
        </form>
      ) : step === 1 ? (
        <form onSubmit={confirm} noValidate>
          <h3>{t('sms.enterPhone')}</h3>
          <Field id="phone" label={t('sms.phone')} type="tel" inputMode="tel" autocomplete="tel" help={t('sms.noSpaces')} value={phone} onInput={setPhone} error={fieldErrors.phone && t(fieldErrors.phone)} />
          <div class="buttons start">
            <button type="button" id="send-code" onClick={() => void send()} disabled={busy}>
              {t('sms.send')}
            </button>
          </div>
          <p class="note warn">{t('keys.validity')}</p>
          <h3>{t('sms.enterCode')}</h3>
          <p class="note">{t('sms.codeHelp')}</p>
          {started?.sentTo ? <p class="note" id="sent-to">{t('keys.sentTo', { to: started.sentTo })}</p> : null}
          <Field id="registration-code" label={t('keys.registrationCode')} inputMode="numeric" autocomplete="one-time-code" value={code} onInput={setCode} error={fieldErrors.code && t(fieldErrors.code)} />
          <ErrorLine>{error}</ErrorLine>
          <WizardButtons t={t} onCancel={() => done()} disabled={busy || !started} />
        </form>
      ) : (
        <Confirmation t={t} overview={result ?? overview} done={done} />
      )}
    </section>
  );
}

/** E-mail: the address, "Code versturen", then the registration code from the mailbox. */
export function EmailWizard({ backend, overview, t, language, done, reauth }: WizardProps) {
  const [email, setEmail] = useState(overview.contact.email ?? '');
  const [code, setCode] = useState('');
  const [started, setStarted] = useState<RegistrationStarted | undefined>();
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<'email' | 'code'>>({});
  const [result, setResult] = useState<KeysOverview | undefined>();
  const { error, busy, attempt } = useFailure(t, language, reauth);

  async function send() {
    const problem = emailProblem(email);
    setFieldErrors({ email: problem });
    if (problem) return;
    const s = await attempt(() => backend.startKey('email', { email: email.trim() }));
    if (s) setStarted(s);
  }

  async function confirm(event: Event) {
    event.preventDefault();
    const problem = codeProblem(code);
    setFieldErrors({ code: problem });
    if (problem || !started) return;
    const o = await attempt(() => backend.confirmKey('email', started.registrationId, code.replace(/\s/g, '')));
    if (o) setResult(o);
  }

  return (
    <section class="wizard" id="wizard-email" aria-labelledby="wizard-title">
      <h2 id="wizard-title">{t('email.title')}</h2>
      <StepIndicator steps={[t('sms.step1'), t('email.step2'), t('sms.step3')]} current={result ? 2 : started ? 1 : 0} />
      {result ? (
        <Confirmation t={t} overview={result} done={done} />
      ) : (
        <form onSubmit={confirm} noValidate>
          <p class="reminder">{t('keys.reminder')}</p>
          <Field id="contact-email" label={t('sms.email')} type="email" autocomplete="email" help={t('email.help')} value={email} onInput={setEmail} error={fieldErrors.email && t(fieldErrors.email)} />
          <div class="buttons start">
            <button type="button" id="send-code" onClick={() => void send()} disabled={busy}>
              {t('email.send')}
            </button>
          </div>
          {started ? (
            <>
              <p class="note">{t('email.codeHelp')}</p>
              <p class="note">{t('email.spam')}</p>
              {started.sentTo ? <p class="note" id="sent-to">{t('keys.sentTo', { to: started.sentTo })}</p> : null}
              <p class="note warn">{t('keys.validity')}</p>
              <Field id="registration-code" label={t('keys.registrationCode')} inputMode="numeric" autocomplete="one-time-code" value={code} onInput={setCode} error={fieldErrors.code && t(fieldErrors.code)} />
            </>
          ) : null}
          <ErrorLine>{error}</ErrorLine>
          <WizardButtons t={t} onCancel={() => done()} disabled={busy || !started} />
        </form>
      )}
    </section>
  );
}

/** Mobile app: install an app, scan the QR code (or type the key), confirm with the app's code. */
export function AppWizard({ backend, t, language, done, reauth }: WizardProps) {
  const [started, setStarted] = useState<RegistrationStarted | undefined>();
  const [code, setCode] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [result, setResult] = useState<KeysOverview | undefined>();
  const { error, busy, attempt } = useFailure(t, language, reauth);

  async function begin() {
    const s = await attempt(() => backend.startKey('totp'));
    if (s) setStarted(s);
  }

  async function confirm(event: Event) {
    event.preventDefault();
    const problem = codeProblem(code);
    setFieldError(problem && t(problem));
    if (problem || !started) return;
    const o = await attempt(() => backend.confirmKey('totp', started.registrationId, code.replace(/\s/g, '')));
    if (o) setResult(o);
  }

  return (
    <section class="wizard" id="wizard-totp" aria-labelledby="wizard-title">
      <h2 id="wizard-title">{t('totp.title')}</h2>
      <StepIndicator steps={[t('totp.step1'), t('totp.step2'), t('sms.step3')]} current={result ? 2 : started ? 1 : 0} />
      {result ? (
        <Confirmation t={t} overview={result} done={done} />
      ) : !started ? (
        <div>
          <p class="reminder">{t('keys.reminder')}</p>
          <p>{t('totp.install')}</p>
          <ErrorLine>{error}</ErrorLine>
          <div class="buttons">
            <button type="button" onClick={() => done()}>
              {t('common.cancel')}
            </button>
            <button type="button" class="primary" id="wizard-next" disabled={busy} onClick={() => void begin()}>
              {t('common.next')}
            </button>
          </div>
        </div>
      ) : (
        <form onSubmit={confirm} noValidate>
          <p>{t('totp.scan')}</p>
          {started.qrCode ? <img id="totp-qr" class="qr" src={started.qrCode} alt="QR code" width={200} height={200} /> : null}
          <p class="mono secret" id="totp-secret" data-uri={started.otpauthUri ?? ''}>
            {started.secret?.replace(/(.{4})/g, '$1 ').trim()}
          </p>
          <p class="note">{t('totp.timing')}</p>
          <Field id="registration-code" label={t('keys.code')} help={t('totp.codeHelp')} inputMode="numeric" autocomplete="one-time-code" value={code} onInput={setCode} error={fieldError} />
          <ErrorLine>{error}</ErrorLine>
          <WizardButtons t={t} onCancel={() => done()} disabled={busy} />
        </form>
      )}
    </section>
  );
}

/** "Gebruikersnaam en wachtwoord aanpassen": the username filled in, the new password twice, 'Wijzigen'. */
export function PasswordWizard({ backend, overview, t, language, done, reauth }: WizardProps) {
  const current = overview.keys.find((k) => k.key === 'password');
  const [username, setUsername] = useState(current?.username ?? '');
  const [password, setPassword] = useState('');
  const [confirmPassword, setConfirm] = useState('');
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<'username' | 'password' | 'confirm'>>({});
  const [result, setResult] = useState<KeysOverview | undefined>();
  const { error, busy, attempt } = useFailure(t, language, reauth);

  async function save(event: Event) {
    event.preventDefault();
    const problems = credentialsProblems({ username, password, confirm: confirmPassword });
    setFieldErrors(problems);
    if (hasErrors(problems)) return;
    const o = await attempt(() => backend.setPassword(username.trim(), password));
    if (o) setResult(o);
  }

  return (
    <section class="wizard" id="wizard-password" aria-labelledby="wizard-title">
      <h2 id="wizard-title">{t('pw.title')}</h2>
      {result ? (
        <div class="confirmation" id="wizard-done" role="status">
          <p class="success">{t('keys.changed')}</p>
          <div class="buttons">
            <button type="button" class="primary" id="back-to-keys" onClick={() => done(result)}>
              {t('common.back')}
            </button>
          </div>
        </div>
      ) : (
        <form onSubmit={save} noValidate>
          <p>{t('pw.help')}</p>
          <Field id="username" label={t('keys.username')} autocomplete="username" value={username} onInput={setUsername} error={fieldErrors.username && t(fieldErrors.username)} />
          <Field id="new-password" label={t('keys.password')} type="password" autocomplete="new-password" help={t('pw.rules')} value={password} onInput={setPassword} error={fieldErrors.password && t(fieldErrors.password)} />
          <Field id="confirm-password" label={t('pw.confirm')} type="password" autocomplete="new-password" value={confirmPassword} onInput={setConfirm} error={fieldErrors.confirm && t(fieldErrors.confirm)} />
          <ErrorLine>{error}</ErrorLine>
          <WizardButtons t={t} onCancel={() => done()} disabled={busy} label={t('keys.change')} />
        </form>
      )}
    </section>
  );
}

export function DeactivateWizard({ backend, t, language, done, reauth, kind }: WizardProps & { kind: CodeKey }) {
  const { error, busy, attempt } = useFailure(t, language, reauth);
  async function confirm() {
    const o = await attempt(() => backend.deactivateKey(kind));
    if (o) done(o);
  }
  return (
    <section class="wizard" id="wizard-deactivate" aria-labelledby="wizard-title">
      <h2 id="wizard-title">{t(`key.${kind}`)}</h2>
      <p>{t('keys.deactivateConfirm')}</p>
      <ErrorLine>{error}</ErrorLine>
      <div class="buttons">
        <button type="button" onClick={() => done()}>
          {t('common.cancel')}
        </button>
        <button type="button" class="danger" id="confirm-deactivate" disabled={busy} onClick={() => void confirm()}>
          {t('keys.deactivateYes')}
        </button>
      </div>
    </section>
  );
}

/**
 * "Mijn digitale sleutels" against the reference backend: sign in (eID
 * through the extension's own flow, itsme in a window of its own when the
 * backend has a provider, or username + password + code), the overview of
 * keys with their state, and the wizards.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { BrowserApi } from '../../lib/browser-api.js';
import type { Language } from '../../../shared/text/format.js';
import { BackendApi, BackendApiError, normalizeBackendUrl, type CodeKey, type CodeRequired, type FetchLike, type KeysOverview, type KeyState, type LoginKey } from '../../popup/backend-api.js';
import type { Translate } from './texts/index.js';
import type { BackgroundCaller } from '../../popup/popup-client.js';
import { BACKEND_SESSION_KEY, loadBackendSession, saveBackendSession } from '../../popup/session-store.js';
import { codeProblem, credentialsProblems, hasErrors, type FieldErrors } from '../../popup/validation.js';
import { ErrorLine, failureText, Field } from './common.js';
import { AppWizard, DeactivateWizard, EmailWizard, PasswordWizard, SmsWizard } from './key-wizards.js';
import { LraWizard } from './lra-wizard.js';

export interface KeysViewProps {
  api: Pick<BrowserApi, 'storageGet' | 'storageSet' | 'onStorageChanged' | 'openOptionsPage'>;
  call: BackgroundCaller;
  t: Translate;
  language: Language;
  backendUrl: string;
  fetchImpl?: FetchLike;
}

type Screen = { name: 'loading' } | { name: 'login' } | { name: 'lra' } | { name: 'overview' } | { name: 'wizard'; wizard: 'sms' | 'email' | 'totp' | 'password' } | { name: 'deactivate'; kind: CodeKey };

const CODE_KEYS: CodeKey[] = ['email', 'totp', 'sms'];

export function KeysView(props: KeysViewProps) {
  const { t, language } = props;
  const backendUrl = normalizeBackendUrl(props.backendUrl);
  const [backend, setBackend] = useState<BackendApi | undefined>();
  const [screen, setScreen] = useState<Screen>({ name: 'loading' });
  const [overview, setOverview] = useState<KeysOverview | undefined>();
  const [error, setError] = useState('');

  async function openSession() {
    if (!backendUrl) {
      setScreen({ name: 'login' });
      return;
    }
    const token = await loadBackendSession(props.api, backendUrl);
    const api = new BackendApi(backendUrl, token, props.fetchImpl);
    setBackend(api);
    if (!token) {
      setScreen({ name: 'login' });
      return;
    }
    try {
      setOverview(await api.keys());
      setScreen({ name: 'overview' });
    } catch (e) {
      if (e instanceof BackendApiError && e.status === 401) await saveBackendSession(props.api, backendUrl, undefined);
      else setError(failureText(t, language, e));
      setBackend(new BackendApi(backendUrl, undefined, props.fetchImpl));
      setScreen({ name: 'login' });
    }
  }

  useEffect(() => {
    void openSession();
    // The eID and itsme sign-ins finish in the background (their windows may close the popup): follow the stored session.
    props.api.onStorageChanged((keys) => {
      if (keys.includes(BACKEND_SESSION_KEY)) void openSession();
    });
  }, [props.backendUrl]);

  async function signedIn(api: BackendApi) {
    if (backendUrl) await saveBackendSession(props.api, backendUrl, api.token);
    setOverview(await api.keys());
    setScreen({ name: 'overview' });
  }

  async function logout() {
    try {
      await backend?.logout();
    } catch {
      // Logged out here either way; the token is forgotten below.
    }
    if (backendUrl) await saveBackendSession(props.api, backendUrl, undefined);
    setOverview(undefined);
    setBackend(backendUrl ? new BackendApi(backendUrl, undefined, props.fetchImpl) : undefined);
    setScreen({ name: 'login' });
  }

  function back(next?: KeysOverview) {
    if (next) setOverview(next);
    setScreen({ name: 'overview' });
  }

  if (!backendUrl) {
    return (
      <section id="keys-view">
        <p class="problem">{t('advice.backend.notConfigured')}</p>
        <button type="button" onClick={() => void props.api.openOptionsPage()}>
          {t('app.settings')}
        </button>
      </section>
    );
  }
  if (screen.name === 'loading' || !backend) return <p role="status">{t('common.loading')}</p>;
  if (screen.name === 'login') {
    return (
      <LoginScreen
        {...props}
        backend={backend}
        backendUrl={backendUrl}
        initialError={error}
        onSignedIn={(api) => signedIn(api).catch((e: unknown) => setError(failureText(t, language, e)))}
        onLra={() => setScreen({ name: 'lra' })}
      />
    );
  }
  if (screen.name === 'lra') return <LraWizard backend={backend} t={t} language={language} done={() => setScreen({ name: 'login' })} />;
  if (!overview) return <p role="status">{t('common.loading')}</p>;
  const wizardProps = { backend, overview, t, language, done: back, reauth: () => void logout() };
  if (screen.name === 'wizard') {
    if (screen.wizard === 'sms') return <SmsWizard {...wizardProps} />;
    if (screen.wizard === 'email') return <EmailWizard {...wizardProps} />;
    if (screen.wizard === 'totp') return <AppWizard {...wizardProps} />;
    return <PasswordWizard {...wizardProps} />;
  }
  if (screen.name === 'deactivate') return <DeactivateWizard {...wizardProps} kind={screen.kind} />;
  return <Overview overview={overview} t={t} onLogout={() => void logout()} onWizard={(wizard) => setScreen({ name: 'wizard', wizard })} onDeactivate={(kind) => setScreen({ name: 'deactivate', kind })} />;
}

function KeyCard({ state, t, children }: { state: KeyState; t: Translate; children?: ComponentChildren }) {
  return (
    <li class={`key-card ${state.active ? 'active' : 'inactive'}`} data-key={state.key}>
      <span class="key-name">{t(`key.${state.key}`)}</span>
      <span class={`key-state ${state.active ? 'active' : ''}`} data-state={state.active ? 'active' : 'inactive'}>
        {state.active ? t('keys.active') : t('keys.inactive')}
      </span>
      {children}
    </li>
  );
}

function Overview({ overview, t, onLogout, onWizard, onDeactivate }: { overview: KeysOverview; t: Translate; onLogout(): void; onWizard(w: 'sms' | 'email' | 'totp' | 'password'): void; onDeactivate(k: CodeKey): void }) {
  const byKey = new Map(overview.keys.map((k) => [k.key, k]));
  const password = byKey.get('password');
  const name = `${overview.person.givenNames} ${overview.person.surname}`.trim();
  return (
    <section id="keys-overview" aria-labelledby="keys-heading">
      <div class="top">
        <p id="welcome">{t('keys.welcome', { name })}</p>
        <button type="button" id="logout" onClick={onLogout}>
          {t('keys.logout')}
        </button>
      </div>
      <h2 id="keys-heading">{t('keys.overview')}</h2>
      <p class="note">{t('keys.intro')}</p>
      <h3>{t('keys.eidSection')}</h3>
      <ul class="key-cards">{byKey.get('eid') ? <KeyCard state={byKey.get('eid')!} t={t} /> : null}</ul>
      <h3>{t('keys.codeSection')}</h3>
      <ul class="key-cards">
        {password ? (
          <KeyCard state={password} t={t}>
            {password.username ? <span class="key-detail">{t('keys.username.current', { u: password.username })}</span> : null}
            <button type="button" class="key-action" data-action="change" onClick={() => onWizard('password')}>
              {t('keys.change')}
            </button>
          </KeyCard>
        ) : null}
        {CODE_KEYS.map((kind) => {
          const state = byKey.get(kind);
          if (!state) return null;
          return (
            <KeyCard key={kind} state={state} t={t}>
              {state.active && state.sentTo ? <span class="key-detail">{t('keys.sentTo', { to: state.sentTo })}</span> : null}
              {state.active ? (
                <button type="button" class="key-action" data-action="deactivate" onClick={() => onDeactivate(kind)}>
                  {t('keys.deactivate')}
                </button>
              ) : (
                <button type="button" class="key-action primary" data-action="activate" disabled={!password?.active} title={password?.active ? undefined : t('keys.needPassword')} onClick={() => onWizard(kind)}>
                  {t('keys.activate')}
                </button>
              )}
            </KeyCard>
          );
        })}
      </ul>
      {!password?.active ? <p class="note warn">{t('keys.needPassword')}</p> : <p class="note">{t('keys.reminder')}</p>}
    </section>
  );
}

interface LoginProps extends KeysViewProps {
  backend: BackendApi;
  backendUrl: string;
  initialError: string;
  onSignedIn(api: BackendApi): void;
  onLra(): void;
}

/** The guides send people who have no itsme account to itsme's own step-by-step plan. */
function itsmeGetStartedUrl(language: Language): string {
  return `https://www.itsme.be/${language === 'nl' || language === 'fr' ? language : 'en'}/get-started`;
}

/** "Kies uw digitale sleutel om aan te melden": eID and itsme first, then the security-code keys. */
function LoginScreen(props: LoginProps) {
  const { t, language, backend } = props;
  const [key, setKey] = useState<LoginKey>('email');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState<CodeRequired | undefined>();
  const [code, setCode] = useState('');
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<'username' | 'password' | 'code'>>({});
  const [error, setError] = useState(props.initialError);
  const [busy, setBusy] = useState<'' | 'eid' | 'itsme' | 'code'>('');
  const [itsme, setItsme] = useState(false);

  useEffect(() => {
    // The button only where the backend has a provider; a backend that cannot say has none to offer.
    void backend.itsmeAvailable().then(setItsme, () => setItsme(false));
  }, [backend]);

  async function keyLogin(op: 'eid-login' | 'itsme-login') {
    setBusy(op === 'eid-login' ? 'eid' : 'itsme');
    setError('');
    const reply = await props.call({ op, lang: language });
    setBusy('');
    // On success the stored session changes and KeysView moves on by itself.
    if (!reply.ok) setError(failureText(t, language, reply.error));
  }

  async function submitPassword(event: Event) {
    event.preventDefault();
    const problems = credentialsProblems({ username, password });
    setFieldErrors(problems);
    if (hasErrors(problems)) return;
    setBusy('code');
    setError('');
    try {
      const answer = await backend.passwordLogin(username.trim(), password, key);
      if (answer.status === 'logged-in') props.onSignedIn(backend);
      else setPending(answer);
    } catch (e) {
      setError(failureText(t, language, e));
    } finally {
      setBusy('');
    }
  }

  async function submitCode(event: Event) {
    event.preventDefault();
    if (!pending) return;
    const problem = codeProblem(code);
    setFieldErrors({ code: problem });
    if (problem) return;
    setBusy('code');
    setError('');
    try {
      await backend.codeLogin(pending.loginRequestId, code.replace(/\s/g, ''));
      props.onSignedIn(backend);
    } catch (e) {
      setError(failureText(t, language, e));
    } finally {
      setBusy('');
    }
  }

  return (
    <section id="keys-login" aria-labelledby="login-heading">
      <h2 id="login-heading">{t('keys.choose')}</h2>
      <p class="note" id="backend-url">
        {t('keys.backend', { url: props.backendUrl })}
      </p>
      <h3>{t('keys.eidHeading')}</h3>
      <button type="button" id="login-eid" class="primary wide" disabled={busy !== ''} onClick={() => void keyLogin('eid-login')}>
        {t('keys.eidButton')}
      </button>
      {busy === 'eid' ? <p role="status">{t('keys.eidBusy')}</p> : null}
      {itsme ? (
        <>
          <button type="button" id="login-itsme" class="primary wide" disabled={busy !== ''} onClick={() => void keyLogin('itsme-login')}>
            {t('keys.itsmeButton')}
          </button>
          <p class="note">
            <a id="itsme-create" href={itsmeGetStartedUrl(language)} target="_blank" rel="noopener">
              {t('keys.itsmeCreate')}
            </a>
          </p>
          {busy === 'itsme' ? <p role="status">{t('keys.itsmeBusy')}</p> : null}
        </>
      ) : null}
      <h3>{t('keys.codeHeading')}</h3>
      {!pending ? (
        <form id="password-login" onSubmit={submitPassword} noValidate>
          <label for="login-key">{t('keys.key')}</label>
          <select id="login-key" value={key} onChange={(e) => setKey((e.currentTarget as HTMLSelectElement).value as LoginKey)}>
            {(['email', 'totp', 'sms', 'password'] as const).map((k) => (
              <option key={k} value={k}>
                {t(`key.${k}`)}
              </option>
            ))}
          </select>
          <Field id="login-username" label={t('keys.username')} autocomplete="username" value={username} onInput={setUsername} error={fieldErrors.username && t(fieldErrors.username)} />
          <Field id="login-password" label={t('keys.password')} type="password" autocomplete="current-password" value={password} onInput={setPassword} error={fieldErrors.password && t(fieldErrors.password)} />
          <div class="buttons">
            <button type="submit" class="primary" id="login-next" disabled={busy !== ''}>
              {t('common.next')}
            </button>
          </div>
        </form>
      ) : (
        <form id="code-login" onSubmit={submitCode} noValidate>
          <p id="code-instructions">{pending.channel === 'totp' ? t('keys.codeApp') : t('keys.codeSent', { to: pending.sentTo ?? '' })}</p>
          <Field id="login-code" label={t('keys.code')} inputMode="numeric" autocomplete="one-time-code" value={code} onInput={setCode} error={fieldErrors.code && t(fieldErrors.code)} />
          <div class="buttons">
            <button type="button" onClick={() => { setPending(undefined); setCode(''); }}>
              {t('common.cancel')}
            </button>
            <button type="submit" class="primary" id="login-code-next" disabled={busy !== ''}>
              {t('common.next')}
            </button>
          </div>
        </form>
      )}
      <ErrorLine id="login-error">{error}</ErrorLine>
      <p>
        <button type="button" class="link" id="open-lra" onClick={props.onLra}>
          {t('lra.link')}
        </button>
      </p>
    </section>
  );
}

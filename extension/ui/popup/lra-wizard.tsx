/**
 * Activation after a visit to the registration office (LRA): 1 enter the
 * activation code (with the link from the e-mail), 2 choose the key and set
 * username and password, 3 enter the registration code (or the app's code).
 */
import { useState } from 'preact/hooks';
import type { Language } from '../../../shared/text/format.js';
import { activationTokenFrom, type ActivationKeyStarted, type ActivationStarted, type BackendApi, type CodeKey } from '../../popup/backend-api.js';
import type { Translate } from './texts/index.js';
import { codeProblem, credentialsProblems, hasErrors, phoneProblem, type FieldErrors } from '../../popup/validation.js';
import { ErrorLine, Field, StepIndicator } from './common.js';
import { useFailure, WizardButtons } from './wizard-parts.js';

export function LraWizard({ backend, t, language, done }: { backend: BackendApi; t: Translate; language: Language; done(): void }) {
  const [link, setLink] = useState('');
  const [activationCode, setActivationCode] = useState('');
  const [started, setStarted] = useState<ActivationStarted | undefined>();
  const [key, setKey] = useState<CodeKey>('email');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [confirmPassword, setConfirm] = useState('');
  const [phone, setPhone] = useState('+32');
  const [keyStarted, setKeyStarted] = useState<ActivationKeyStarted | undefined>();
  const [code, setCode] = useState('');
  const [finished, setFinished] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<'link' | 'activationCode' | 'username' | 'password' | 'confirm' | 'phone' | 'code'>>({});
  const { error, busy, attempt } = useFailure(t, language);

  async function enterCode(event: Event) {
    event.preventDefault();
    const token = activationTokenFrom(link);
    const problems = { link: token ? undefined : ('v.required' as const), activationCode: activationCode.trim() ? undefined : ('v.required' as const) };
    setFieldErrors(problems);
    if (hasErrors(problems)) return;
    const s = await attempt(() => backend.activationStart(token, activationCode.trim()));
    if (s) setStarted(s);
  }

  async function chooseKey(event: Event) {
    event.preventDefault();
    if (!started) return;
    const problems = { ...credentialsProblems({ username, password, confirm: confirmPassword }), phone: key === 'sms' ? phoneProblem(phone) : undefined };
    setFieldErrors(problems);
    if (hasErrors(problems)) return;
    const s = await attempt(() => backend.activationKey(started.activationId, key, username.trim(), password, key === 'sms' ? phone.trim() : undefined));
    if (s) setKeyStarted(s);
  }

  async function confirm(event: Event) {
    event.preventDefault();
    if (!keyStarted) return;
    const problem = codeProblem(code);
    setFieldErrors({ code: problem });
    if (problem) return;
    const r = await attempt(() => backend.activationConfirm(keyStarted.activationId, code.replace(/\s/g, '')));
    if (r) setFinished(true);
  }

  const step = finished ? 3 : keyStarted ? 2 : started ? 1 : 0;
  return (
    <section class="wizard" id="wizard-lra" aria-labelledby="wizard-title">
      <h2 id="wizard-title">{t('lra.title')}</h2>
      <StepIndicator steps={[t('lra.step1'), t('lra.step2'), t('lra.step3')]} current={step} />
      {step === 0 ? (
        <form onSubmit={enterCode} noValidate>
          <Field id="activation-link" label={t('lra.linkLabel')} type="url" value={link} onInput={setLink} error={fieldErrors.link && t(fieldErrors.link)} />
          <Field id="activation-code" label={t('lra.codeLabel')} help={t('lra.codeHelp')} autocomplete="off" value={activationCode} onInput={setActivationCode} error={fieldErrors.activationCode && t(fieldErrors.activationCode)} />
          <ErrorLine>{error}</ErrorLine>
          <WizardButtons t={t} onCancel={done} disabled={busy} />
        </form>
      ) : step === 1 ? (
        <form onSubmit={chooseKey} noValidate>
          <p>{t('lra.choose')}</p>
          <p class="note">{t('lra.advice')}</p>
          <fieldset class="choices">
            {(['email', 'totp', 'sms'] as const).map((k) => (
              <label class="choice" key={k}>
                <input type="radio" name="lra-key" value={k} checked={key === k} onChange={() => setKey(k)} />
                {t(`key.${k}`)}
              </label>
            ))}
          </fieldset>
          {key === 'sms' ? <Field id="phone" label={t('sms.phone')} type="tel" help={t('sms.noSpaces')} value={phone} onInput={setPhone} error={fieldErrors.phone && t(fieldErrors.phone)} /> : null}
          <Field id="username" label={t('keys.username')} autocomplete="username" value={username} onInput={setUsername} error={fieldErrors.username && t(fieldErrors.username)} />
          <Field id="new-password" label={t('keys.password')} type="password" autocomplete="new-password" help={t('pw.rules')} value={password} onInput={setPassword} error={fieldErrors.password && t(fieldErrors.password)} />
          <Field id="confirm-password" label={t('pw.confirm')} type="password" autocomplete="new-password" value={confirmPassword} onInput={setConfirm} error={fieldErrors.confirm && t(fieldErrors.confirm)} />
          <ErrorLine>{error}</ErrorLine>
          <WizardButtons t={t} onCancel={done} disabled={busy} label={t('lra.activate')} />
        </form>
      ) : step === 2 && keyStarted ? (
        <form onSubmit={confirm} noValidate>
          {keyStarted.key === 'totp' ? (
            <>
              <p>{t('totp.install')}</p>
              <p>{t('totp.scan')}</p>
              {keyStarted.qrCode ? <img id="totp-qr" class="qr" src={keyStarted.qrCode} alt="QR code" width={200} height={200} /> : null}
              <p class="mono secret" id="totp-secret">
                {keyStarted.secret?.replace(/(.{4})/g, '$1 ').trim()}
              </p>
            </>
          ) : (
            <>
              <p>{keyStarted.key === 'email' ? t('email.codeHelp') : t('sms.codeHelp')}</p>
              {keyStarted.sentTo ? <p class="note" id="sent-to">{t('keys.sentTo', { to: keyStarted.sentTo })}</p> : null}
              <p class="note warn">{t('keys.validity')}</p>
            </>
          )}
          <Field id="registration-code" label={keyStarted.key === 'totp' ? t('keys.code') : t('keys.registrationCode')} inputMode="numeric" autocomplete="one-time-code" value={code} onInput={setCode} error={fieldErrors.code && t(fieldErrors.code)} />
          <ErrorLine>{error}</ErrorLine>
          <WizardButtons t={t} onCancel={done} disabled={busy} />
        </form>
      ) : (
        <div class="confirmation" id="wizard-done" role="status">
          <p class="success">{t('lra.done')}</p>
          <div class="buttons">
            <button type="button" class="primary" id="back-to-keys" onClick={done}>
              {t('common.back')}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}

/**
 * Options-page sections owned by the popup work: how the host reaches the
 * card (PC/SC, PKCS#11 with the module path; sent to the host with
 * configure-backends, which saves it for every later start) and a check that
 * the reference backend answers. The backend URL, the language and the
 * origin lists are fields of the options page itself.
 */
import { useEffect, useState } from 'preact/hooks';
import type { BackendName } from '../../../shared/protocol.js';
import type { BrowserApi } from '../../lib/browser-api.js';
import type { Language } from '../../../shared/text/format.js';
import { loadSettings } from '../../lib/settings.js';
import { BackendApi, normalizeBackendUrl } from '../../popup/backend-api.js';
import { translator } from '../popup/texts/index.js';
import { backgroundCaller } from '../../popup/popup-client.js';
import { failureText } from '../popup/common.js';

/** The same rule the host applies to pkcs11Module: an absolute path to a shared library. */
export const PKCS11_MODULE_PATTERN = /^(\/|[A-Za-z]:\\).+\.(so(\.\d+)*|dylib|dll)$/;

export function backendsLabel(backends: BackendName[]): string {
  return backends.map((b) => (b === 'pcsc' ? 'PC/SC' : 'PKCS#11')).join(', ');
}

export function OptionsSections({ api, language }: { api: Pick<BrowserApi, 'sendRuntimeMessage' | 'storageGet'>; language: Language }) {
  const t = translator(language);
  const call = backgroundCaller(api);
  const [pcsc, setPcsc] = useState(true);
  const [pkcs11, setPkcs11] = useState(false);
  const [module, setModule] = useState('');
  /** A module outside the known locations runs native code in the host: the person says they trust it. */
  const [moduleTrusted, setModuleTrusted] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>();
  const [backendCheck, setBackendCheck] = useState<{ ok: boolean; text: string } | undefined>();
  const [busy, setBusy] = useState(false);
  /**
   * The choices stay disabled until the host said what it uses now: a reply
   * arriving after the person had started changing them would put back the
   * old choice under their hands, and Apply would send it.
   */
  const [loaded, setLoaded] = useState(false);

  useEffect(() => {
    // What the host uses now (its configuration file, or its environment), in order.
    void call({ op: 'status' }).then((reply) => {
      setLoaded(true);
      if (!reply.ok) return;
      const names = reply.result.backends.map((b) => b.name);
      if (names.length > 0) {
        setPcsc(names.includes('pcsc'));
        setPkcs11(names.includes('pkcs11'));
      }
      const detail = reply.result.backends.find((b) => b.name === 'pkcs11')?.detail;
      const path = detail ? /\((\/[^)]+|[A-Za-z]:\\[^)]+)\)\s*$/.exec(detail)?.[1] : undefined;
      if (path) setModule(path);
    });
  }, []);

  const moduleInvalid = pkcs11 && module.trim() !== '' && !PKCS11_MODULE_PATTERN.test(module.trim());

  async function apply(event: Event) {
    event.preventDefault();
    const backends: BackendName[] = [...(pcsc ? (['pcsc'] as const) : []), ...(pkcs11 ? (['pkcs11'] as const) : [])];
    if (backends.length === 0) {
      setMessage({ ok: false, text: t('opt.chooseOne') });
      return;
    }
    if (moduleInvalid) return;
    setBusy(true);
    const pkcs11Module = pkcs11 && module.trim() ? module.trim() : null;
    const reply = await call({ op: 'configure-backends', backends, pkcs11Module, pkcs11ModuleConfirmed: pkcs11Module !== null && moduleTrusted });
    setBusy(false);
    if (!reply.ok) {
      if (reply.error.bridgeCode === 'INVALID_ARGUMENT' && reply.error.argument === 'pkcs11Module' && pkcs11Module !== null) {
        // The host refused the library: unconfirmed outside the known places, or in a folder others can change.
        setMessage({ ok: false, text: t(moduleTrusted ? 'opt.moduleUnsafe' : 'opt.moduleNeedsTrust') });
        return;
      }
      setMessage({ ok: false, text: `${failureText(t, language, reply.error)} ${reply.error.hint ?? ''}`.trim() });
      return;
    }
    const unavailable = reply.result.backends.filter((b) => !b.available);
    setMessage({
      ok: unavailable.length === 0,
      text: [t('opt.applied', { b: backendsLabel(backends) }), ...unavailable.map((b) => `${t('status.backendUnavailable', { b: backendsLabel([b.name]) })}${b.detail ? `: ${b.detail}` : ''}`)].join(' '),
    });
  }

  async function checkBackend() {
    const url = normalizeBackendUrl((await loadSettings(api)).backendUrl);
    if (!url) {
      setBackendCheck({ ok: false, text: t('advice.backend.notConfigured') });
      return;
    }
    try {
      const health = await new BackendApi(url, undefined).health();
      setBackendCheck({ ok: true, text: t('opt.backendOk', { v: health.version }) });
    } catch (e) {
      setBackendCheck({ ok: false, text: failureText(t, language, e) });
    }
  }

  return (
    <>
      <section aria-labelledby="card-access-heading" id="card-access">
        <h2 id="card-access-heading">{t('opt.cardAccess')}</h2>
        <form onSubmit={apply} noValidate aria-busy={loaded ? undefined : 'true'}>
          <fieldset disabled={!loaded} style={{ border: 'none', margin: 0, padding: 0 }}>
            <label class="inline">
              <input id="backend-pcsc" type="checkbox" checked={pcsc} onChange={(e) => setPcsc((e.currentTarget as HTMLInputElement).checked)} />
              {t('opt.pcsc')}
            </label>
            <label class="inline">
              <input id="backend-pkcs11" type="checkbox" checked={pkcs11} onChange={(e) => setPkcs11((e.currentTarget as HTMLInputElement).checked)} />
              {t('opt.pkcs11')}
            </label>
            {pkcs11 ? (
              <>
                <label for="pkcs11-module">{t('opt.module')}</label>
                <input
                  id="pkcs11-module"
                  type="text"
                  style={{ width: '100%', boxSizing: 'border-box', font: 'inherit' }}
                  value={module}
                  placeholder="/usr/lib/x86_64-linux-gnu/libbeidpkcs11.so.0"
                  aria-invalid={moduleInvalid ? 'true' : undefined}
                  aria-describedby={moduleInvalid ? 'pkcs11-module-error' : undefined}
                  onInput={(e) => {
                    setModule((e.currentTarget as HTMLInputElement).value);
                    setModuleTrusted(false);
                  }}
                />
                {moduleInvalid ? (
                  <p class="problem" id="pkcs11-module-error" role="alert">
                    {t('opt.moduleInvalid')}
                  </p>
                ) : null}
                {module.trim() !== '' && !moduleInvalid ? (
                  <label>
                    <input id="pkcs11-module-trust" type="checkbox" checked={moduleTrusted} onChange={(e) => setModuleTrusted((e.currentTarget as HTMLInputElement).checked)} />
                    {t('opt.moduleTrust')}
                  </label>
                ) : null}
              </>
            ) : null}
            <div class="buttons">
              <button type="submit" id="apply-backends" disabled={busy}>
                {t('opt.apply')}
              </button>
            </div>
          </fieldset>
          <p role="status" id="backends-result" class={message && !message.ok ? 'problem' : ''}>
            {message?.text ?? ''}
          </p>
        </form>
      </section>
      <section aria-labelledby="backend-check-heading">
        <h2 id="backend-check-heading">{t('opt.backendCheck')}</h2>
        <div class="buttons">
          <button type="button" id="check-backend" onClick={() => void checkBackend()}>
            {t('opt.backendCheck')}
          </button>
        </div>
        <p role="status" id="backend-check" class={backendCheck && !backendCheck.ok ? 'problem' : ''}>
          {backendCheck?.text ?? ''}
        </p>
      </section>
    </>
  );
}

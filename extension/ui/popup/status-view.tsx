/**
 * Status at a glance: the extension and host versions, each reader, the card
 * in it with the holder's name (a virtual card marked as such), the card type
 * and the PIN tries left; and "Test my card reader", which reads the card
 * and shows the first names, as the official eID software's reader test does.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Language } from '../../../shared/text/format.js';
import { holdersByReader } from '../../popup/holder.js';
import type { Translate } from './texts/index.js';
import type { PopupErrorPayload, PopupStatus, ReaderTestResult } from '../../popup/messages.js';
import type { BackgroundCaller } from '../../popup/popup-client.js';
import { ErrorLine, failureText } from './common.js';

interface Loaded {
  status?: PopupStatus;
  error?: PopupErrorPayload;
  holders: Map<string, string>;
}

export function StatusView({ call, t, language, extensionVersion }: { call: BackgroundCaller; t: Translate; language: Language; extensionVersion: string }) {
  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [test, setTest] = useState<{ busy: boolean; reader?: string; result?: ReaderTestResult; error?: PopupErrorPayload }>({ busy: false });

  async function load() {
    setLoaded(undefined);
    const status = await call({ op: 'status' });
    if (!status.ok) {
      setLoaded({ error: status.error, holders: new Map() });
      return;
    }
    let holders = new Map<string, string>();
    if (status.result.readers.some((r) => r.cardPresent)) {
      const certificates = await call({ op: 'certificates' });
      if (certificates.ok) holders = holdersByReader(certificates.result.certificates);
    }
    setLoaded({ status: status.result, holders });
  }

  useEffect(() => {
    void load();
  }, []);

  async function runTest(reader: string) {
    setTest({ busy: true, reader });
    const reply = await call({ op: 'test-reader', reader });
    setTest(reply.ok ? { busy: false, reader, result: reply.result } : { busy: false, reader, error: reply.error });
  }

  const status = loaded?.status;
  return (
    <section id="status-view" aria-labelledby="status-heading">
      <h2 id="status-heading" class="visually-hidden">
        {t('tab.status')}
      </h2>
      <dl class="facts">
        <dt>{t('status.extension')}</dt>
        <dd id="extension-version">{t('status.extensionVersion', { v: extensionVersion })}</dd>
        <dt>{t('status.host')}</dt>
        <dd id="host-state" class={loaded?.error ? 'bad' : status ? 'good' : ''}>
          {!loaded ? t('common.loading') : loaded.error ? `${failureText(t, language, loaded.error)} ${loaded.error.hint ?? ''}`.trim() : t('status.hostVersion', { v: status?.version ?? '?' })}
        </dd>
      </dl>
      {status ? (
        <>
          {status.backends
            .filter((b) => !b.available)
            .map((b) => (
              <p class="note bad" key={b.name}>
                {t('status.backendUnavailable', { b: b.name === 'pcsc' ? 'PC/SC' : 'PKCS#11' })}
              </p>
            ))}
          <h3>{t('status.readers')}</h3>
          {status.readers.length === 0 ? <p id="no-reader">{t('status.noReader')}</p> : null}
          <ul class="readers" id="readers">
            {status.readers.map((r) => (
              <li key={r.name} class="reader" data-reader={r.name}>
                <p class="reader-name">{r.name}</p>
                {!r.cardPresent ? (
                  <p class="card-state">{t('status.noCard')}</p>
                ) : r.cardType === 'unsupported card' ? (
                  <p class="card-state bad">{t('status.unsupported')}</p>
                ) : (
                  <dl class="facts">
                    <dt>{t('status.cardIn')}</dt>
                    <dd class="holder">{loaded?.holders.get(r.name) ?? r.tokenLabel ?? '—'}</dd>
                    {r.virtual ? (
                      <dd class="virtual badge" id="virtual-card">
                        {t('status.virtual')}
                      </dd>
                    ) : null}
                    <dt>{t('status.cardType')}</dt>
                    <dd class="card-type">{r.cardType ?? r.tokenLabel ?? '—'}</dd>
                    {r.pinTriesLeft !== undefined ? (
                      <>
                        <dt>{t('status.pinTries')}</dt>
                        <dd class={`pin-tries${r.pinTriesLeft <= 1 ? ' bad' : ''}`}>{r.pinTriesLeft}</dd>
                      </>
                    ) : null}
                    {r.pinPad ? <dd class="note">{t('status.pinPad')}</dd> : null}
                  </dl>
                )}
                {r.cardPresent && r.cardType !== 'unsupported card' ? (
                  <button type="button" class="test-reader primary" disabled={test.busy} onClick={() => void runTest(r.name)}>
                    {t('test.button')}
                  </button>
                ) : null}
                {test.reader === r.name ? <TestResult t={t} language={language} test={test} /> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <div class="buttons">
        <button type="button" id="refresh-status" onClick={() => void load()}>
          {t('common.refresh')}
        </button>
      </div>
    </section>
  );
}

function TestResult({ t, language, test }: { t: Translate; language: Language; test: { busy: boolean; result?: ReaderTestResult; error?: PopupErrorPayload } }) {
  return (
    <div class="test-result" id="test-result" role="status" aria-live="polite">
      {test.busy ? <p>{t('test.reading')}</p> : null}
      {test.result ? (
        <div class="test-ok">
          <p>{t('test.ok')}</p>
          <p class="first-names" id="first-names">
            {test.result.firstNames}
          </p>
          {!test.result.verified ? <p class="note bad">{t('test.notVerified')}</p> : null}
        </div>
      ) : null}
      {test.error ? (
        <ErrorLine id="test-error">
          {t('test.failed')} {failureText(t, language, test.error)}
        </ErrorLine>
      ) : null}
    </div>
  );
}

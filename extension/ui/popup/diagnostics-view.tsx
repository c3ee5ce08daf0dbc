/**
 * "Lukt het aanmelden niet?": every link from the extension to the reference
 * backend with its state; for the first broken one, what to do in plain
 * words; when all is well, the seed guide's own tips and the helpdesk. The
 * report button copies the facts for the helpdesk.
 */
import { useEffect, useState } from 'preact/hooks';
import { diagnose, reportText, type DiagnosticReport, type ReportTexts } from '../../popup/diagnostics.js';
import { gatherDiagnostics } from '../../popup/gather-diagnostics.js';
import type { Translate } from './texts/index.js';
import type { BackgroundCaller } from '../../popup/popup-client.js';
import type { FetchLike } from '../../popup/backend-api.js';

export interface DiagnosticsViewProps {
  call: BackgroundCaller;
  t: Translate;
  backendUrl: string;
  extensionVersion: string;
  copy(text: string): Promise<void>;
  fetchImpl?: FetchLike;
  userAgent: string;
}

export function reportTexts(t: Translate): ReportTexts {
  return {
    title: t('diag.reportTitle'),
    stepName: (step) => t(`step.${step}`),
    stateName: (state) => t(`state.${state}`),
    advice: (finding) => t(`advice.${finding}`),
    firstBroken: t('diag.whatToDo'),
    allGood: t('diag.allGood'),
  };
}

export function DiagnosticsView(props: DiagnosticsViewProps) {
  const { t } = props;
  const [report, setReport] = useState<DiagnosticReport | undefined>();
  const [copied, setCopied] = useState(false);

  async function run() {
    setReport(undefined);
    setCopied(false);
    setReport(diagnose(await gatherDiagnostics(props.call, props.backendUrl, props.extensionVersion, props.fetchImpl)));
  }

  useEffect(() => {
    void run();
  }, [props.backendUrl]);

  async function copyReport() {
    if (!report) return;
    await props.copy(reportText(report, reportTexts(t), { time: new Date().toISOString(), userAgent: props.userAgent }));
    setCopied(true);
  }

  const broken = report?.firstBroken;
  return (
    <section id="diagnostics-view" aria-labelledby="diag-heading">
      <h2 id="diag-heading">{t('diag.title')}</h2>
      <p class="note">{t('diag.intro')}</p>
      {!report ? (
        <p role="status">{t('common.loading')}</p>
      ) : (
        <>
          <ol class="chain" id="diagnostic-steps">
            {report.steps.map((s) => (
              <li key={s.step} class={`link ${s.state}`} data-step={s.step} data-state={s.state} data-finding={s.finding ?? ''}>
                <span class="mark" aria-hidden="true">
                  {s.state === 'ok' ? '✓' : s.state === 'failed' ? '✗' : '–'}
                </span>
                <span class="link-name">{t(`step.${s.step}`)}</span>
                <span class="link-state">{t(`state.${s.state}`)}</span>
              </li>
            ))}
          </ol>
          {broken?.finding ? (
            <div class="advice" id="advice" data-step={broken.step} role="alert">
              <h3>
                {t('diag.whatToDo')}: {t(`step.${broken.step}`)}
              </h3>
              <p>{t(`advice.${broken.finding}`)}</p>
            </div>
          ) : (
            <div class="advice good" id="advice" data-step="">
              <p>{t('diag.allGood')}</p>
              <ul>
                <li>{t('diag.tip1')}</li>
                <li>{t('diag.tip2')}</li>
                <li>{t('diag.tip3')}</li>
                <li>{t('diag.tip4')}</li>
              </ul>
            </div>
          )}
          <p class="note">{t('diag.helpdesk')}</p>
        </>
      )}
      <div class="buttons">
        <button type="button" id="run-diagnostics" onClick={() => void run()} disabled={!report}>
          {t('diag.run')}
        </button>
        <button type="button" id="copy-report" class="primary" onClick={() => void copyReport()} disabled={!report}>
          {t('diag.copy')}
        </button>
      </div>
      <p role="status" id="copied">
        {copied ? t('diag.copied') : ''}
      </p>
    </section>
  );
}

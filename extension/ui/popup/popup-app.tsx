/**
 * The toolbar popup: three tabs — status (with the reader test), "Lukt het
 * aanmelden niet?" diagnostics, and "Mijn digitale sleutels" — in the
 * language from the settings (or the browser's).
 */
import { useEffect, useState } from 'preact/hooks';
import type { BrowserApi } from '../../lib/browser-api.js';
import { LANGUAGE_NAMES, LANGUAGES, type Language } from '../../../shared/text/format.js';
import { resolveLanguage } from '../../lib/language.js';
import { loadSettings, saveSettings, type Settings } from '../../lib/settings.js';
import type { FetchLike } from '../../popup/backend-api.js';
import { translator } from './texts/index.js';
import { backgroundCaller } from '../../popup/popup-client.js';
import { DiagnosticsView } from './diagnostics-view.js';
import { KeysView } from './keys-view.js';
import { StatusView } from './status-view.js';

export type PopupTab = 'status' | 'help' | 'keys';

export interface PopupAppProps {
  api: Pick<BrowserApi, 'sendRuntimeMessage' | 'storageGet' | 'storageSet' | 'onStorageChanged' | 'uiLanguage' | 'openOptionsPage' | 'extensionVersion'>;
  copy(text: string): Promise<void>;
  fetchImpl?: FetchLike;
  userAgent?: string;
  initialTab?: PopupTab;
}

export function PopupApp(props: PopupAppProps) {
  const { api } = props;
  const [settings, setSettings] = useState<Settings | undefined>();
  const [tab, setTab] = useState<PopupTab>(props.initialTab ?? 'status');
  const call = backgroundCaller(api);

  useEffect(() => {
    void loadSettings(api).then(setSettings);
  }, [api]);

  if (!settings) return null;
  const language: Language = resolveLanguage(settings.language, undefined, api.uiLanguage());
  const t = translator(language);
  const tabs: Array<[PopupTab, string]> = [
    ['status', t('tab.status')],
    ['help', t('tab.help')],
    ['keys', t('tab.keys')],
  ];

  async function changeLanguage(value: string) {
    const next = { ...settings!, language: value as Settings['language'] };
    await saveSettings(api, { language: next.language });
    setSettings(next);
  }

  return (
    <main class="popup" lang={language}>
      <header class="top">
        <h1>{t('app.title')}</h1>
        <div class="header-tools">
          <select id="popup-language" aria-label="Taal / Langue / Sprache / Language" value={language} onChange={(e) => void changeLanguage((e.currentTarget as HTMLSelectElement).value)}>
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {LANGUAGE_NAMES[l]}
              </option>
            ))}
          </select>
          <button type="button" id="open-options" class="link" onClick={() => void api.openOptionsPage()}>
            {t('app.settings')}
          </button>
        </div>
      </header>
      <nav class="tabs" role="tablist">
        {tabs.map(([id, label]) => (
          <button key={id} type="button" role="tab" id={`tab-${id}`} aria-selected={tab === id} class={tab === id ? 'selected' : ''} onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
      </nav>
      <div role="tabpanel" aria-labelledby={`tab-${tab}`}>
        {tab === 'status' ? (
          <StatusView call={call} t={t} language={language} extensionVersion={api.extensionVersion()} />
        ) : tab === 'help' ? (
          <DiagnosticsView
            call={call}
            t={t}
            backendUrl={settings.backendUrl}
            extensionVersion={api.extensionVersion()}
            copy={props.copy}
            userAgent={props.userAgent ?? ''}
            {...(props.fetchImpl ? { fetchImpl: props.fetchImpl } : {})}
          />
        ) : (
          <KeysView api={api} call={call} t={t} language={language} backendUrl={settings.backendUrl} {...(props.fetchImpl ? { fetchImpl: props.fetchImpl } : {})} />
        )}
      </div>
    </main>
  );
}

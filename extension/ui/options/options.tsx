/**
 * The options page: the developer setting for http://localhost, the list of
 * government origins, origins the person trusts with window.eidBridge, the
 * language, the reference backend, and whether the native host answers.
 */
import { useEffect, useState } from 'preact/hooks';
import type { BrowserApi } from '../../lib/browser-api.js';
import { LANGUAGE_NAMES, LANGUAGES, type Language } from '../../../shared/text/format.js';
import { resolveLanguage } from '../../lib/language.js';
import { errorText } from '../dialog/texts/index.js';
import type { HostStatusReply } from '../../lib/messages.js';
import { DEFAULT_GOVERNMENT_ORIGINS, loadStoredSettings, saveSettings, type LanguageSetting, type Settings } from '../../lib/settings.js';
import { OptionsSections } from './options-sections.js';

const TEXT = {
  nl: {
    title: 'eID Bridge: instellingen',
    host: 'eID Bridge-programma',
    hostOk: 'Verbonden, versie {v}.',
    language: 'Taal',
    auto: 'Zoals de browser',
    government: 'Overheidswebsites (één per regel, bv. *.belgium.be of https://host:poort)',
    allowed: 'Andere websites die window.eidBridge mogen gebruiken (één per regel)',
    allowedNote: 'Het venster waarschuwt nog altijd dat dit geen gekende overheidswebsite is.',
    http: 'Ontwikkelaars: sta http://localhost en http://127.0.0.1 toe',
    backend: 'Adres van de referentie-backend',
    save: 'Opslaan',
    saved: 'Opgeslagen.',
    reset: 'Standaardlijst herstellen',
  },
  fr: {
    title: 'eID Bridge : paramètres',
    host: 'Programme eID Bridge',
    hostOk: 'Connecté, version {v}.',
    language: 'Langue',
    auto: 'Comme le navigateur',
    government: 'Sites publics (un par ligne, p. ex. *.belgium.be ou https://hôte:port)',
    allowed: 'Autres sites autorisés à utiliser window.eidBridge (un par ligne)',
    allowedNote: "La fenêtre avertit toujours qu'il ne s'agit pas d'un site public connu.",
    http: 'Développeurs : autoriser http://localhost et http://127.0.0.1',
    backend: 'Adresse du backend de référence',
    save: 'Enregistrer',
    saved: 'Enregistré.',
    reset: 'Rétablir la liste par défaut',
  },
  de: {
    title: 'eID Bridge: Einstellungen',
    host: 'Programm eID Bridge',
    hostOk: 'Verbunden, Version {v}.',
    language: 'Sprache',
    auto: 'Wie der Browser',
    government: 'Behördenwebsites (eine pro Zeile, z. B. *.belgium.be oder https://host:port)',
    allowed: 'Andere Websites, die window.eidBridge verwenden dürfen (eine pro Zeile)',
    allowedNote: 'Das Fenster warnt weiterhin, dass dies keine bekannte Behördenwebsite ist.',
    http: 'Entwickler: http://localhost und http://127.0.0.1 erlauben',
    backend: 'Adresse des Referenz-Backends',
    save: 'Speichern',
    saved: 'Gespeichert.',
    reset: 'Standardliste wiederherstellen',
  },
  en: {
    title: 'eID Bridge: settings',
    host: 'eID Bridge program',
    hostOk: 'Connected, version {v}.',
    language: 'Language',
    auto: 'Same as the browser',
    government: 'Government websites (one per line, e.g. *.belgium.be or https://host:port)',
    allowed: 'Other websites allowed to use window.eidBridge (one per line)',
    allowedNote: 'The dialog still warns that these are not known government websites.',
    http: 'Developers: allow http://localhost and http://127.0.0.1',
    backend: 'Reference backend address',
    save: 'Save',
    saved: 'Saved.',
    reset: 'Restore the default list',
  },
} satisfies Record<Language, Record<string, string>>;

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

export function Options({ api }: { api: BrowserApi }) {
  const [settings, setSettings] = useState<Settings | undefined>();
  const [government, setGovernment] = useState('');
  const [allowed, setAllowed] = useState('');
  const [saved, setSaved] = useState(false);
  const [host, setHost] = useState<HostStatusReply | undefined>();

  useEffect(() => {
    void loadStoredSettings(api).then((s) => {
      setSettings(s);
      setGovernment(s.governmentOrigins.join('\n'));
      setAllowed(s.allowedOrigins.join('\n'));
    });
    void (api.sendRuntimeMessage({ type: 'eid-bridge:host-status' }) as Promise<HostStatusReply>).then(setHost, () => undefined);
  }, [api]);

  if (!settings) return null;
  const language = resolveLanguage(settings.language, undefined, api.uiLanguage());
  const text = TEXT[language];

  async function save(event: Event) {
    event.preventDefault();
    if (!settings) return;
    const next: Settings = { ...settings, governmentOrigins: lines(government), allowedOrigins: lines(allowed) };
    await saveSettings(api, next);
    // "Saved" once window.eidBridge reaches the origins just added.
    await api.sendRuntimeMessage({ type: 'eid-bridge:settings-saved' }).catch(() => undefined);
    setSettings(next);
    setSaved(true);
  }

  const update = (patch: Partial<Settings>) => {
    setSettings({ ...settings, ...patch });
    setSaved(false);
  };

  return (
    <main class="options" lang={language}>
      <h1>{text.title}</h1>
      <section aria-labelledby="host-heading">
        <h2 id="host-heading">{text.host}</h2>
        <p id="host-status" role="status">
          {host === undefined
            ? '…'
            : host.error
              ? `${errorText(language, host.error.bridgeCode)} ${host.error.hint ?? ''}`
              : text.hostOk.replace('{v}', host.hostVersion ?? '?')}
        </p>
      </section>
      <form onSubmit={save}>
        <label for="language">{text.language}</label>
        <select id="language" value={settings.language} onChange={(e) => update({ language: (e.currentTarget as HTMLSelectElement).value as LanguageSetting })}>
          <option value="auto">{text.auto}</option>
          {LANGUAGES.map((l) => (
            <option key={l} value={l}>
              {LANGUAGE_NAMES[l]}
            </option>
          ))}
        </select>

        <label for="government-origins">{text.government}</label>
        <textarea id="government-origins" rows={9} value={government} onInput={(e) => { setGovernment((e.currentTarget as HTMLTextAreaElement).value); setSaved(false); }} />
        <button type="button" onClick={() => { setGovernment(DEFAULT_GOVERNMENT_ORIGINS.join('\n')); setSaved(false); }}>
          {text.reset}
        </button>

        <label for="allowed-origins">{text.allowed}</label>
        <p class="note" id="allowed-note">{text.allowedNote}</p>
        <textarea id="allowed-origins" rows={4} aria-describedby="allowed-note" value={allowed} onInput={(e) => { setAllowed((e.currentTarget as HTMLTextAreaElement).value); setSaved(false); }} />

        <label class="inline">
          <input id="allow-http-localhost" type="checkbox" checked={settings.allowHttpLocalhost} onChange={(e) => update({ allowHttpLocalhost: (e.currentTarget as HTMLInputElement).checked })} />
          {text.http}
        </label>

        <label for="backend-url">{text.backend}</label>
        <input id="backend-url" type="url" value={settings.backendUrl} onInput={(e) => update({ backendUrl: (e.currentTarget as HTMLInputElement).value })} />

        <div class="buttons">
          <button id="save" type="submit" class="primary">
            {text.save}
          </button>
        </div>
        <p role="status" id="saved">{saved ? text.saved : ''}</p>
      </form>
      <OptionsSections api={api} language={language} />
    </main>
  );
}

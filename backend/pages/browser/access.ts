/**
 * The one script of the access and mandate pages, served as /assets/access.js.
 * The pages are rendered on the server; this script only sends their forms
 * as JSON to the API (which checks everything again) and shows the answer:
 *  - form[data-api]: send the named fields (dotted names nest) with data-method (POST by default);
 *    {field} in the path is filled from the form; afterwards reload, or show data-result;
 *  - data-lookup: first GET that path and show the person's name, send on the second submit;
 *  - data-check + data-confirm: first show the summary from data-check in the confirm section,
 *    whose "Bevestig" button sends the same fields with "confirmed";
 *  - button[data-api-button]: one action (remove, stop), then reload;
 *  - button[data-eid-sign]: sign a document with the eID at that API path (…/prepare, the card,
 *    …/finish), then reload or show data-result; data-token goes into both bodies (the exception
 *    form's link token); on a result section, [data-sign-from] takes both from the API's answer.
 */
import type { Message } from '../../../shared/text/format.js';
import { cardErrorCode, cardSignature, signingCertificate, type DocumentDescription } from './card-signing.js';
import { callApi, codeOf, readPageData, setStatus, translator, type Json } from './page.js';

const data = readPageData();
const texts = (data.accessTexts ?? {}) as Record<string, Message>;
const tr = translator(data, texts);
const status = (text: string, kind?: 'error') => setStatus(document.getElementById('access-status'), text, kind);

function get(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o === null || o === undefined ? undefined : (o as Record<string, unknown>)[k]), value);
}

function bodyOf(form: HTMLFormElement): Json {
  const body: Json = {};
  for (const element of Array.from(form.elements) as HTMLInputElement[]) {
    if (!element.name || element.matches(':disabled')) continue;
    if (element.type === 'radio' && !element.checked) continue;
    if (element.type === 'submit' || element.type === 'button') continue;
    const value = element.type === 'checkbox' ? element.checked : element.value.trim();
    if (value === '') continue;
    const parts = element.name.split('.');
    let target = body;
    for (const part of parts.slice(0, -1)) target = (target[part] ??= {}) as Json;
    target[parts[parts.length - 1]!] = value;
  }
  return body;
}

function fillPath(path: string, body: Json): string {
  return path.replace(/\{([\w.]+)\}/g, (_m, k: string) => encodeURIComponent(String(get(body, k) || '')));
}

const api = (method: string, path: string, body?: unknown) => callApi(method, path, body, { 'X-CSRF-Token': (data.csrf as string | undefined) ?? '' });

function fail(e: unknown): void {
  const code = cardErrorCode(e, codeOf(e));
  status(texts[`error.${code ?? ''}`] ? tr(`error.${code}`) : tr('error.other', { code: code || 'NETWORK' }), 'error');
}

function fill(root: HTMLElement, answer: Json): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-field]')) {
    const v = get(answer, el.getAttribute('data-field')!);
    el.textContent = v === undefined || v === null ? '' : String(v);
  }
  for (const el of root.querySelectorAll<HTMLElement>('[data-show-if]')) el.hidden = !get(answer, el.getAttribute('data-show-if')!);
  for (const el of root.querySelectorAll<HTMLElement>('[data-href]')) el.setAttribute('href', String(get(answer, el.getAttribute('data-href')!) || '#'));
  for (const el of root.querySelectorAll<HTMLElement>('[data-sign-from]')) {
    el.setAttribute('data-eid-sign', String(get(answer, 'signatureUrl') ?? ''));
    el.setAttribute('data-token', new URL(String(get(answer, 'pdfUrl') ?? ''), location.href).searchParams.get('token') ?? '');
  }
  for (const el of root.querySelectorAll<HTMLElement>('[data-text]')) {
    const values: Record<string, string | number> = {};
    for (const pair of (el.getAttribute('data-values') ?? '').split(';')) {
      const [name, path] = pair.split('=');
      if (name) values[name] = get(answer, path ?? '') as string | number;
    }
    el.textContent = tr(el.getAttribute('data-text')!, values);
  }
}

function finish(source: HTMLElement, answer: Json, resultFor?: string | null): void {
  const resultId = resultFor || source.getAttribute('data-result');
  if (!resultId) {
    location.reload();
    return;
  }
  const section = document.getElementById(resultId)!;
  fill(section, answer);
  section.hidden = false;
  source.hidden = true;
  status('');
}

let pending: { form: HTMLFormElement; body: Json; path: string; section: HTMLElement } | null = null;

for (const form of document.querySelectorAll<HTMLFormElement>('form[data-api]')) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = bodyOf(form);
    const method = form.getAttribute('data-method') ?? 'POST';
    const path = fillPath(form.getAttribute('data-api')!, body);
    status(tr('working'));
    const lookup = form.getAttribute('data-lookup');
    if (lookup) {
      const lookupPath = fillPath(lookup, body);
      if (form.getAttribute('data-looked') !== lookupPath) {
        api('GET', lookupPath)
          .then((r) => {
            form.setAttribute('data-looked', lookupPath);
            const name = form.querySelector<HTMLElement>('[data-lookup-name]')!;
            name.textContent = tr('personFound', { name: String(get(r, 'person.name') ?? '') });
            name.hidden = false;
            status('');
          })
          .catch(fail);
        return;
      }
    }
    const check = form.getAttribute('data-check');
    if (check) {
      api('POST', check, body)
        .then((r) => {
          const section = document.getElementById(form.getAttribute('data-confirm')!)!;
          pending = { form, body, path, section };
          fill(section, r);
          form.hidden = true;
          section.hidden = false;
          status('');
        })
        .catch(fail);
      return;
    }
    api(method, path, method === 'DELETE' ? undefined : body)
      .then((r) => finish(form, r))
      .catch(fail);
  });
}

for (const button of document.querySelectorAll<HTMLElement>('[data-correct]')) {
  button.addEventListener('click', () => {
    if (!pending) return;
    pending.section.hidden = true;
    pending.form.hidden = false;
    status('');
  });
}

for (const button of document.querySelectorAll<HTMLElement>('[data-final]')) {
  button.addEventListener('click', () => {
    const current = pending;
    if (!current) return;
    const body = { ...current.body, confirmed: (document.getElementById('confirm-check') as HTMLInputElement).checked };
    status(tr('working'));
    api('POST', current.path, body)
      .then((r) => finish(current.section, r, button.getAttribute('data-result')))
      .catch(fail);
  });
}

for (const button of document.querySelectorAll<HTMLElement>('[data-api-button]')) {
  button.addEventListener('click', () => {
    const method = button.getAttribute('data-method') ?? 'POST';
    status(tr('working'));
    api(method, button.getAttribute('data-api-button')!, method === 'DELETE' ? undefined : {})
      .then(() => location.reload())
      .catch(fail);
  });
}

/** A document signed with the eID: the signing certificate, the hash the backend prepares for it, the card's signature, the finish. */
async function signWithEid(base: string, extra: Json): Promise<Json> {
  const lang = String(data.lang);
  const certificate = await signingCertificate(lang);
  const prepared = await api('POST', `${base}/prepare?lang=${lang}`, { ...extra, certificate });
  const signature = await cardSignature(lang, certificate, prepared.hash as string, prepared.hashFunction as string, prepared.document as DocumentDescription);
  return api('POST', `${base}/finish?lang=${lang}`, { ...extra, certificate, signature });
}

for (const button of document.querySelectorAll<HTMLButtonElement>('[data-eid-sign], [data-sign-from]')) {
  button.addEventListener('click', () => {
    const base = button.getAttribute('data-eid-sign');
    if (!base || button.disabled) return;
    const token = button.getAttribute('data-token');
    button.disabled = true;
    status(tr('signing'));
    signWithEid(base, token ? { token } : {})
      .then((r) => finish(button, r))
      .catch((e: unknown) => {
        button.disabled = false;
        fail(e);
      });
  });
}

// The appointment form: only the fields of the chosen option are sent.
for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=appoint]')) {
  const sync = () => {
    for (const fieldset of document.querySelectorAll<HTMLFieldSetElement>('fieldset[data-appoint]')) {
      const chosen = document.querySelector<HTMLInputElement>('input[name=appoint]:checked');
      const on = !!chosen && fieldset.getAttribute('data-appoint') === chosen.value;
      fieldset.disabled = !on;
      fieldset.hidden = !on;
    }
  };
  radio.addEventListener('change', sync);
  sync();
}

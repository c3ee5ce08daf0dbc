/**
 * What every page script of the backend shares: the page's data (a JSON
 * element the server writes, never code), its texts through the one text
 * formatter, element lookup, status lines and JSON calls to the API.
 * Runs in the browser; bundled by esbuild (see browser-scripts.ts).
 */
import { formatMessage, isLanguage, type Language, type Message, type TextParams } from '../../../shared/text/format.js';

export interface PageData {
  lang: Language;
  texts: Record<string, Message>;
  [key: string]: unknown;
}

export function readPageData(): PageData {
  const data = JSON.parse(document.getElementById('page-data')?.textContent ?? '{}') as Partial<PageData>;
  return { ...data, lang: isLanguage(data.lang) ? data.lang : 'nl', texts: data.texts ?? {} };
}

/** The page's text for a key, filled in; an unknown key shows as itself. */
export function translator(data: PageData, texts: Record<string, Message> = data.texts): (key: string, params?: TextParams) => string {
  return (key, params) => formatMessage(data.lang, texts[key] ?? key, params);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`The page has no #${id}`);
  return element as T;
}

export function inputValue(id: string): string {
  return byId<HTMLInputElement>(id).value;
}

export function setStatus(element: HTMLElement | null, text: string, kind?: 'error' | 'ok'): void {
  if (!element) return;
  element.textContent = text;
  element.className = `status${kind ? ` ${kind}` : ''}`;
}

/** A refusal of the API: its error code, as the API names it. */
export class ApiFailure extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export type Json = Record<string, unknown>;

export function codeOf(error: unknown): string | undefined {
  return error instanceof ApiFailure ? error.code : undefined;
}

/** A JSON request to this site's API with the session cookie; refusals become ApiFailure. */
export async function callApi(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Json> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { ...headers, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } } & Json;
  if (!response.ok) throw new ApiFailure(json.error?.message ?? response.statusText, json.error?.code);
  return json;
}

export const postJson = (path: string, body: unknown): Promise<Json> => callApi('POST', path, body);

/** Bytes as base64, in slices: a spread of a whole PDF would pass the engine's argument limit. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Checks shared by the text tests of every surface (dialog, popup, backend pages, access pages, PDF): every language has every key of English, with the same placeholders. */
import { expect } from 'vitest';
import type { Message } from './format.js';

/** Every wording of a message: the string, or each plural form. */
export function messageForms(message: Message): string[] {
  if (typeof message === 'string') return [message];
  const { count: _count, ...forms } = message;
  return Object.values(forms).filter((form): form is string => typeof form === 'string');
}

function placeholders(message: Message): string[] {
  return [...new Set(messageForms(message).flatMap((form) => form.match(/\{\w+\}/g) ?? []))].sort();
}

export function expectSameKeysAndPlaceholders(english: Readonly<Record<string, Message>>, others: ReadonlyArray<Readonly<Record<string, Message>>>): void {
  for (const table of others) {
    expect(Object.keys(table).sort()).toEqual(Object.keys(english).sort());
    for (const [key, message] of Object.entries(table)) {
      for (const form of messageForms(message)) expect(form.trim(), key).not.toBe('');
      expect(placeholders(message), key).toEqual(placeholders(english[key]!));
    }
  }
}

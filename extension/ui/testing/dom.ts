/**
 * A fresh element for each component test, emptied afterwards, and the ways
 * a person acts on it (click, type) wrapped in Preact's act() so the screen
 * has caught up before the test looks.
 */
import { render, type ComponentChild } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach } from 'vitest';

export interface DomUnderTest {
  readonly root: HTMLElement;
  show(node: ComponentChild): void;
  $<T extends HTMLElement = HTMLElement>(selector: string): T | null;
  text(selector: string): string | null;
  click(selector: string): Promise<void>;
  type(selector: string, value: string): Promise<void>;
  /** Lets timers and promises run until `check` holds; fails naming `what` and showing the screen. */
  until(check: () => boolean, what: string): Promise<void>;
  /** Lets a few rounds of timers and promises run. */
  settle(): Promise<void>;
}

/** Call at the top of a test file (it registers beforeEach and afterEach). */
export function domUnderTest(): DomUnderTest {
  let root: HTMLElement | undefined;
  beforeEach(() => {
    root = document.createElement('div');
    document.body.appendChild(root);
  });
  afterEach(() => {
    if (!root) return;
    render(null, root);
    root.remove();
  });
  const current = () => {
    if (!root) throw new Error('domUnderTest() is used outside a test');
    return root;
  };
  const $ = <T extends HTMLElement = HTMLElement>(selector: string) => current().querySelector<T>(selector);
  return {
    get root() {
      return current();
    },
    show: (node) => render(node, current()),
    $,
    text: (selector) => $(selector)?.textContent ?? null,
    click: async (selector) => {
      await act(async () => {
        $(selector)!.click();
      });
    },
    type: async (selector, value) => {
      await act(async () => {
        const input = $<HTMLInputElement>(selector)!;
        input.value = value;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      });
    },
    until: async (check, what) => {
      for (let i = 0; i < 100; i++) {
        if (check()) return;
        await act(async () => {
          await new Promise((r) => setTimeout(r, 5));
        });
      }
      throw new Error(`never: ${what}\n${current().innerHTML}`);
    },
    settle: async () => {
      for (let i = 0; i < 5; i++) await act(async () => new Promise((r) => setTimeout(r, 2)));
    },
  };
}

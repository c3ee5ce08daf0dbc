/**
 * Drives the card dialog like a person with a keyboard, through the page API
 * that Playwright (Chromium) and Puppeteer (Firefox) share.
 */
export interface DriverPage {
  evaluate<T>(fn: () => T | Promise<T>): Promise<T>;
  click(selector: string): Promise<void>;
  type(selector: string, text: string): Promise<void>;
  focus(selector: string): Promise<void>;
  waitForSelector(selector: string, options?: { timeout?: number }): Promise<unknown>;
  keyboard: { press(key: string): Promise<void> };
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  isClosed?(): boolean;
  select?: unknown;
}

export interface DialogView {
  title: string;
  origin: string;
  warning: boolean;
  problem: string | null;
  certificates: number;
  pinField: { type: string; inputMode: string; labelled: boolean } | null;
  hash: string | null;
  algorithm: string | null;
  identityFields: string[];
  photoChoice: boolean;
  lang: string;
}

export async function waitForDialogReady(page: DriverPage): Promise<void> {
  await page.waitForSelector('#origin', { timeout: 15_000 });
}

export function readDialog(page: DriverPage): Promise<DialogView> {
  return page.evaluate(() => {
    const text = (selector: string) => document.querySelector(selector)?.textContent?.trim() ?? null;
    const pin = document.querySelector<HTMLInputElement>('#pin');
    return {
      title: text('h1') ?? '',
      origin: text('#origin') ?? '',
      warning: document.querySelector('#origin-warning') !== null,
      problem: text('#problem'),
      certificates: document.querySelectorAll('input[name="certificate"]').length || (document.querySelector('.certificate') ? 1 : 0),
      pinField: pin ? { type: pin.type, inputMode: pin.inputMode, labelled: pin.labels !== null && pin.labels.length > 0 } : null,
      hash: text('#sign-hash'),
      algorithm: text('#sign-algorithm'),
      identityFields: Array.from(document.querySelectorAll('#identity-fields li'), (li) => li.textContent ?? ''),
      photoChoice: document.querySelector('#include-photo') !== null,
      lang: document.documentElement.lang,
    };
  });
}

/**
 * Waits until the dialog shows the certificate (base64 DER) and picks it when
 * there is a choice. While the card is not seen yet, presses "Try again" as a
 * person would after inserting it.
 */
export async function chooseCertificate(page: DriverPage, certificate: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const find = new Function(
    `const shown = document.querySelector('[data-certificate="${certificate}"]') !== null;
     const radio = document.querySelector('input[name="certificate"][value="${certificate}"]') !== null;
     const retry = document.querySelector('#retry:not([disabled])') !== null;
     return { shown, radio, retry };`,
  ) as () => { shown: boolean; radio: boolean; retry: boolean };
  while (Date.now() < deadline) {
    const state = await page.evaluate(find);
    if (state.radio) {
      await page.click(`input[name="certificate"][value="${certificate}"]`);
      return;
    }
    if (state.shown) return;
    if (state.retry) await page.click('#retry');
    await new Promise((r) => setTimeout(r, 500));
  }
  const shown = await page.evaluate(() => Array.from(document.querySelectorAll('[data-certificate]'), (e) => e.textContent).join(' | ') + ' / ' + (document.querySelector('#problem')?.textContent ?? ''));
  throw new Error(`the dialog never showed the test card's certificate; it shows: ${shown}`);
}

/** Types the PIN and presses Enter, as a person would. */
export async function enterPin(page: DriverPage, pin: string): Promise<void> {
  await page.waitForSelector('#pin:not([disabled])', { timeout: 15_000 });
  await page.focus('#pin');
  await page.type('#pin', pin);
  // The submit happens on the key going down; a quick card answers and the window closes before
  // the driver has finished the key press, which it reports as an error of the press itself.
  await page.keyboard.press('Enter').catch((e: unknown) => {
    if (!page.isClosed?.()) throw e;
  });
}

/**
 * Presses Cancel (or "Close", the same button after a problem). The dialog
 * answers and its window closes at once, which the driver may report as an
 * error of the click itself.
 */
export async function pressCancel(page: DriverPage): Promise<void> {
  await page.click('#cancel').catch((e: unknown) => {
    if (!page.isClosed?.() && !/closed/i.test(e instanceof Error ? e.message : String(e))) throw e;
  });
}

export async function waitForProblem(page: DriverPage, timeout = 15_000): Promise<string> {
  await page.waitForSelector('#problem', { timeout });
  return (await readDialog(page)).problem ?? '';
}

/** Switches the dialog's language with its own control. */
export async function switchLanguage(page: DriverPage, language: string): Promise<void> {
  await page.evaluate(
    new Function(
      `const s = document.querySelector('#language'); s.value = ${JSON.stringify(language)}; s.dispatchEvent(new Event('change', { bubbles: true }));`,
    ) as () => void,
  );
  await page.waitForSelector(`html[lang="${language}"]`, { timeout: 5000 });
}

/**
 * The access-management, exception-procedure and mandate pages: rendered in
 * the four languages over HTTP, and the main flows clicked through in a real
 * headless Chromium under the page CSP (the session comes from an eID login
 * over the API, handed to the browser as its cookie).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openWatchedPage } from './browser.js';
import type { Client } from './helpers.js';
import { BAKERY, PEOPLE, startAccessTestBackend, type AccessTestBackend } from './access-helpers.js';

let tb: AccessTestBackend;
let browser: Browser;
let problems: string[] = [];

beforeAll(async () => {
  tb = await startAccessTestBackend(PEOPLE);
  browser = await launchBrowser();
  await tb.login('tom'); // known to the backend, so he can be added as access manager
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await tb?.stop();
});

async function browserAs(client: Client | undefined): Promise<Page> {
  const opened = await openWatchedPage(browser, client ? [...client.cookies].map(([name, value]) => ({ name, value, url: tb.server.url })) : []);
  problems = opened.problems;
  return opened.page;
}

describe('access pages over HTTP', () => {
  it('asks to log in with a strong enough key, in the page language', async () => {
    const r = await tb.client().get('/access?lang=fr');
    expect(r.status).toBe(401);
    expect(r.text).toContain('Gestion des gestionnaires d’accès');
    expect(r.text).toContain('/login?minLevel=400&amp;lang=fr&amp;return=%2Faccess');
  });

  it('renders the pages in nl, fr, de and en', async () => {
    const alice = await tb.login('alice');
    const titles = { nl: 'Een Hoofdtoegangsbeheerder aanstellen', fr: 'Désigner un Gestionnaire d’accès principal', de: 'Einen Hauptzugriffsverwalter bestellen', en: 'Appoint a main access manager' };
    for (const [lang, title] of Object.entries(titles)) {
      const r = await alice.get(`/access/appoint?number=${BAKERY}&lang=${lang}`);
      expect(r.status, lang).toBe(200);
      expect(r.text, lang).toContain(title);
      expect(r.text, lang).toContain('Bakkerij Peeters BV');
    }
    expect((await alice.get('/access/exception?lang=de')).text).toContain('Ausnahmeverfahren');
    expect((await alice.get('/mandates?lang=en')).text).toContain('Mandate management');
    const refused = await (await tb.login('eve')).get(`/access/appoint?number=${BAKERY}&lang=nl`);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Alleen een wettelijk vertegenwoordiger van de onderneming kan dit doen.');
    const wrong = await alice.get('/access/appoint?number=0301234588&lang=nl');
    expect(wrong.text).toContain('Dit ondernemingsnummer is niet geldig.');
  });
});

describe('access pages in Chromium', () => {
  it('appoints the HTB: enterprise number, data, "Ja, ik bevestig", result', async () => {
    const page = await browserAs(await tb.login('alice'));
    await page.goto(`${tb.server.url}/access?lang=nl`);
    await page.fill('#enterprise-number', '0301.234.587');
    await page.click('#enterprise-form button[type=submit]');
    await page.waitForURL(/\/access\/appoint/);
    expect(await page.textContent('#enterprise-state')).toContain('nog niet geregistreerd');
    await page.fill('#f-email', 'alice@bakkerij-peeters.be');
    await page.fill('#f-phone', '0470123456');
    await page.fill('#f-enterpriseEmail', 'directie@bakkerij-peeters.be');
    await page.click('#appoint-form button[type=submit]');
    await page.waitForSelector('#confirm-section:not([hidden])');
    expect(await page.textContent('#confirm-section')).toContain('Alice Marie Peeters');
    expect(await page.textContent('#confirm-section')).toContain('Ja, ik bevestig');
    // Without the tick the server refuses.
    await page.click('#confirm-button');
    await page.waitForFunction(() => document.getElementById('access-status')!.textContent!.includes('Ja, ik bevestig'));
    await page.check('#confirm-check');
    await page.click('#confirm-button');
    await page.waitForSelector('#done-section:not([hidden])');
    expect(await page.textContent('#done-section')).toContain('Uw onderneming, Bakkerij Peeters BV, is nu geactiveerd. Alice Marie Peeters is Hoofdtoegangsbeheerder.');
    await tb.smtp.waitFor('directie@bakkerij-peeters.be');

    // Back on the page: she cannot appoint herself again.
    await page.goto(`${tb.server.url}/access/appoint?number=${BAKERY}&lang=nl`);
    expect(await page.textContent('#already-htb')).toContain('kunt zichzelf niet opnieuw aanduiden');
    expect(problems).toEqual([]);
  });

  it('manages access managers on the enterprise page: name shown before adding, contact address, log', async () => {
    const page = await browserAs(await tb.login('alice'));
    await page.goto(`${tb.server.url}/access?lang=nl`);
    await page.click(`a[href^="/access/enterprise?number=${BAKERY}"]`);
    await page.waitForSelector('#domains');
    expect(await page.textContent('#domains')).toContain('Gezondheidszorg');
    await page.click('#domain-finance details:first-of-type summary');
    await page.fill('#add-tb-finance-nn', PEOPLE.tom.nationalNumber);
    await page.click('#add-tb-finance button[type=submit]');
    await page.waitForSelector('#add-tb-finance [data-lookup-name]:not([hidden])');
    expect(await page.textContent('#add-tb-finance [data-lookup-name]')).toBe('Gevonden: Tom Maes');
    await Promise.all([page.waitForEvent('load'), page.click('#add-tb-finance button[type=submit]')]);
    expect(await page.textContent('#domain-finance')).toContain('Tom Maes');

    // Unknown INSZ: a clear message, nothing added.
    await page.click('#domain-justice details:first-of-type summary');
    await page.fill('#add-tb-justice-nn', '65030100788');
    await page.click('#add-tb-justice button[type=submit]');
    await page.waitForFunction(() => document.getElementById('access-status')!.textContent!.includes('Er is geen persoon met dit INSZ gekend.'));

    await page.click('#domain-finance td:nth-child(3) summary');
    await page.fill('#domain-finance td:nth-child(3) input[name=email]', 'finance@bakkerij-peeters.be');
    await Promise.all([page.waitForEvent('load'), page.click('#domain-finance td:nth-child(3) button[type=submit]')]);
    expect(await page.textContent('#domain-finance .contact')).toBe('finance@bakkerij-peeters.be');
    expect(await page.textContent('#log')).toContain('Toegangsbeheerder toegevoegd voor Financiën: Tom Maes');

    // The same page in French names the domains in French, whatever language the person used before.
    const french = await (await tb.login('alice')).get(`/access/enterprise?number=${BAKERY}&lang=fr`);
    expect(french.text).toContain('Soins de santé');
    expect(french.text).toContain('Gestionnaire d’accès ajouté pour Finances : Tom Maes');

    await Promise.all([page.waitForEvent('load'), page.click('#domain-finance td:nth-child(2) li button')]);
    expect(await page.textContent('#domain-finance td:nth-child(2)')).not.toContain('Tom Maes');
    expect(problems).toEqual([]);
  });

  it('files an exception request without logging in and offers the PDF with the ticket number', async () => {
    const page = await browserAs(undefined);
    await page.goto(`${tb.server.url}/access/exception?lang=nl`);
    await page.fill('#f-requester\\.nationalNumber', PEOPLE.sophie.nationalNumber);
    await page.fill('#f-requester\\.givenNames', 'Sophie');
    await page.fill('#f-requester\\.surname', 'Dubois');
    await page.fill('#f-requester\\.email', 'sophie@transport-dubois.be');
    await page.fill('#f-requester\\.phone', '+32471000002');
    await page.fill('#f-enterpriseNumber', '0456789034');
    await page.fill('#f-enterpriseEmail', 'direction@transport-dubois.be');
    await page.click('#exception-form button[type=submit]');
    await page.waitForSelector('#confirm-section:not([hidden])');
    await page.check('#confirm-check');
    await page.click('#confirm-button');
    await page.waitForSelector('#done-section:not([hidden])');
    const text = (await page.textContent('#ticket-done'))!;
    const ticket = /ticketnummer (\w+)/.exec(text)![1]!;
    const href = (await page.getAttribute('#pdf-link', 'href'))!;
    const pdf = await fetch(tb.server.url + href);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toContain(`${ticket}.pdf`);
    expect(problems).toEqual([]);
  });

  it('creates a mandate and shows its state', async () => {
    const page = await browserAs(await tb.login('alice'));
    await page.goto(`${tb.server.url}/mandates?lang=nl`);
    expect(await page.textContent('#no-mandates')).toBe('Geen mandaten.');
    await page.fill('input[name="giver.id"]', PEOPLE.alice.nationalNumber);
    await page.selectOption('select[name="holder.type"]', 'enterprise');
    await page.fill('input[name="holder.id"]', '0456789034');
    await page.selectOption('#mandate-type', 'tax-on-web');
    await page.fill('#start-date', new Date(Date.now() + 86_400_000).toISOString().slice(0, 10));
    await Promise.all([page.waitForEvent('load'), page.click('#mandate-form button[type=submit]')]);
    expect(await page.textContent('#mandates .state')).toBe('Wacht op handtekening');
    await Promise.all([page.waitForEvent('load'), page.click('#mandates button:has-text("Stoppen")')]);
    expect(await page.textContent('#mandates .state')).toBe('Gestopt');
    expect(problems).toEqual([]);
  });
});

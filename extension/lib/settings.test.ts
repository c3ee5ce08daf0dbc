import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CHROME_EXTENSION_ID, CHROME_EXTENSION_PUBLIC_KEY } from '../../shared/native-host-name.js';
import { FakeBrowser } from './testing/fakes.js';
import { DEFAULT_GOVERNMENT_ORIGINS, DEFAULT_SETTINGS, hasPageApi, isGovernmentOrigin, loadSettings, originMatches, parseSettings } from './settings.js';

describe('origin patterns', () => {
  it('matches a domain wildcard on the domain and its subdomains, https on the default port only', () => {
    expect(originMatches('https://belgium.be', '*.belgium.be')).toBe(true);
    expect(originMatches('https://www.socialsecurity.belgium.be', '*.belgium.be')).toBe(true);
    expect(originMatches('https://evilbelgium.be', '*.belgium.be')).toBe(false);
    expect(originMatches('https://belgium.be.evil.com', '*.belgium.be')).toBe(false);
    expect(originMatches('http://www.belgium.be', '*.belgium.be')).toBe(false);
    expect(originMatches('https://www.belgium.be:8443', '*.belgium.be')).toBe(false);
  });

  it('matches a full origin exactly, port included', () => {
    expect(originMatches('https://127.0.0.1:8443', 'https://127.0.0.1:8443')).toBe(true);
    expect(originMatches('https://127.0.0.1:9443', 'https://127.0.0.1:8443')).toBe(false);
    expect(originMatches('https://127.0.0.1', 'https://127.0.0.1:443')).toBe(true);
  });

  it('knows the government zones and the Brussels services by exact name, and nothing local or under .brussels at large', () => {
    for (const origin of ['https://www.vlaanderen.be', 'https://iam.fgov.be', 'https://be.brussels', 'https://irisbox.brussels']) {
      expect(isGovernmentOrigin(origin, DEFAULT_SETTINGS), origin).toBe(true);
    }
    for (const origin of ['https://example.com', 'https://anyone.brussels', 'https://login.be.brussels.evil.example', 'https://localhost:8443', 'https://127.0.0.1:8443']) {
      expect(isGovernmentOrigin(origin, DEFAULT_SETTINGS), origin).toBe(false);
    }
    expect(DEFAULT_GOVERNMENT_ORIGINS.filter((p) => /localhost|127\.0\.0\.1|^\*\.brussels$/.test(p))).toEqual([]);
  });

  it('adds the origins of an administrator\'s policy (managed storage) to the person\'s own', async () => {
    const browser = new FakeBrowser();
    browser.storage.allowedOrigins = ['https://shop.example'];
    browser.managedStorage.governmentOrigins = ['https://127.0.0.1:8443'];
    const settings = await loadSettings(browser.api);
    expect(isGovernmentOrigin('https://127.0.0.1:8443', settings)).toBe(true);
    expect(settings.allowedOrigins).toEqual(['https://shop.example']);
    expect(settings.governmentOrigins).toEqual([...DEFAULT_GOVERNMENT_ORIGINS, 'https://127.0.0.1:8443']);
  });

  it('gives window.eidBridge to government origins and to origins the person added', () => {
    const settings = { ...DEFAULT_SETTINGS, allowedOrigins: ['https://shop.example:4443'] };
    expect(hasPageApi('https://shop.example:4443', settings)).toBe(true);
    expect(hasPageApi('https://shop.example', settings)).toBe(false);
    expect(hasPageApi('https://www.csam.be', settings)).toBe(true);
  });

  it('falls back to defaults for missing or malformed stored values', () => {
    expect(parseSettings({ allowHttpLocalhost: 'yes', governmentOrigins: [1], language: 'xx' })).toEqual(DEFAULT_SETTINGS);
    expect(parseSettings({ allowHttpLocalhost: true, language: 'fr' })).toMatchObject({ allowHttpLocalhost: true, language: 'fr' });
  });
});

describe('the Chrome extension id', () => {
  it('follows from the public key in the manifest', () => {
    const digest = createHash('sha256').update(Buffer.from(CHROME_EXTENSION_PUBLIC_KEY, 'base64')).digest('hex').slice(0, 32);
    const id = [...digest].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
    expect(id).toBe(CHROME_EXTENSION_ID);
  });
});

import { describe, expect, it } from 'vitest';
import { FakeBrowser } from '../lib/testing/fakes.js';
import { DEFAULT_SETTINGS } from '../lib/settings.js';
import { matchPattern, PAGE_API_SCRIPT_ID, registerPageApi } from './page-api-registration.js';

describe('window.eidBridge registration', () => {
  it('turns the settings\' origin patterns into match patterns, and refuses what cannot be one', () => {
    expect(matchPattern('*.belgium.be')).toBe('https://*.belgium.be/*');
    expect(matchPattern('be.brussels')).toBe('https://be.brussels/*');
    expect(matchPattern('https://127.0.0.1:8443')).toBe('https://127.0.0.1/*');
    expect(matchPattern('http://localhost:3000/')).toBe('http://localhost/*');
    expect(matchPattern('http://shop.example')).toBeUndefined();
    expect(matchPattern('https://*')).toBeUndefined();
    expect(matchPattern('ftp://a.be')).toBeUndefined();
  });

  it('registers the page API in the page\'s world on the government and added origins only, and follows changes', async () => {
    const browser = new FakeBrowser();
    await registerPageApi(browser.api, { ...DEFAULT_SETTINGS, allowedOrigins: ['https://shop.example:4443'] });
    const script = browser.mainWorldScripts.get(PAGE_API_SCRIPT_ID);
    expect(script?.file).toBe('page-api.js');
    expect(script?.matches).toContain('https://*.belgium.be/*');
    expect(script?.matches).toContain('https://shop.example/*');
    expect(script?.matches).not.toContain('https://*/*');
    await registerPageApi(browser.api, { ...DEFAULT_SETTINGS, governmentOrigins: [], allowedOrigins: [] });
    expect(browser.mainWorldScripts.has(PAGE_API_SCRIPT_ID)).toBe(false);
  });
});

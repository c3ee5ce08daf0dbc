import { describe, expect, it } from 'vitest';
import { expectSameKeysAndPlaceholders } from '../../../shared/text/text-tables.test-helper.js';
import { de as mailsDe } from './mails/de.js';
import { en as mailsEn } from './mails/en.js';
import { fr as mailsFr } from './mails/fr.js';
import { nl as mailsNl } from './mails/nl.js';
import { accessMailText } from './mails/index.js';
import { de as pagesDe } from './pages/de.js';
import { en as pagesEn } from './pages/en.js';
import { fr as pagesFr } from './pages/fr.js';
import { nl as pagesNl } from './pages/nl.js';
import { accessPageText } from './pages/index.js';
import { de as pdfDe } from './pdf/de.js';
import { en as pdfEn } from './pdf/en.js';
import { fr as pdfFr } from './pdf/fr.js';
import { nl as pdfNl } from './pdf/nl.js';

describe('access texts', () => {
  it('every language has every text of the pages, e-mails and PDF form, non-empty, with the same placeholders as English', () => {
    expectSameKeysAndPlaceholders(pagesEn, [pagesNl, pagesFr, pagesDe]);
    expectSameKeysAndPlaceholders(mailsEn, [mailsNl, mailsFr, mailsDe]);
    expectSameKeysAndPlaceholders(pdfEn, [pdfNl, pdfFr, pdfDe]);
  });

  it('counts imported mandates in real plural forms', () => {
    expect(accessPageText('fr', 'importCreated', { created: 1 })).toBe('1 mandat créé.');
    expect(accessPageText('fr', 'importCreated', { created: 2 })).toBe('2 mandats créés.');
    expect(accessPageText('fr', 'importRefused', { failed: 0 })).toBe('0 ligne refusée.');
    expect(accessPageText('nl', 'importRefused', { failed: 2 })).toBe('2 regels geweigerd.');
    expect(accessPageText('en', 'importCreated', { created: 1 })).toBe('1 mandate created.');
  });

  it('words the change log in the page language', () => {
    expect(accessMailText('nl', 'change:tb-added', { domain: 'Financiën', name: 'Tom Maes' })).toBe('Toegangsbeheerder toegevoegd voor Financiën: Tom Maes');
  });
});

/**
 * Reference data for access management and mandates.
 *
 * THE ENTERPRISE REGISTER HERE IS A STAND-IN. The real legal-representative
 * data lives in the Crossroads Bank for Enterprises (KBO/BCE), an external
 * register this backend cannot reach. These fictitious enterprises and
 * representatives are loaded at start-up (marked source = 'reference') so the
 * flows can be tried; staff can add more through the admin API.
 *
 * The domains (groups of applications) and mandate types are configuration:
 * edit these lists to change them.
 */
import type { Language } from '../../shared/text/format.js';

export interface ReferenceRepresentative {
  nationalNumber: string;
  givenNames: string;
  surname: string;
}

export interface ReferenceEnterprise {
  enterpriseNumber: string;
  name: string;
  address: string;
  representatives: ReferenceRepresentative[];
}

/** Fictitious enterprises with valid check digits; the national numbers are test numbers. */
export const REFERENCE_ENTERPRISES: ReferenceEnterprise[] = [
  {
    enterpriseNumber: '0301234587',
    name: 'Bakkerij Peeters BV',
    address: 'Grote Markt 1, 3000 Leuven',
    representatives: [
      { nationalNumber: '85073000259', givenNames: 'Alice Marie', surname: 'Peeters' },
      { nationalNumber: '78041512326', givenNames: 'Marc', surname: 'Peeters' },
    ],
  },
  {
    enterpriseNumber: '0456789034',
    name: 'Transport Dubois SRL',
    address: 'Rue de la Gare 12, 5000 Namur',
    representatives: [{ nationalNumber: '90010234537', givenNames: 'Sophie', surname: 'Dubois' }],
  },
  {
    enterpriseNumber: '0812345603',
    name: 'Schneider Handel GmbH',
    address: 'Klosterstraße 4, 4700 Eupen',
    representatives: [{ nationalNumber: '70092378954', givenNames: 'Klaus', surname: 'Schneider' }],
  },
];

export interface Domain {
  id: string;
  names: Record<Language, string>;
}

/** The domains of the access management, in the order the page lists them. */
export const DOMAINS: Domain[] = [
  { id: 'home-affairs', names: { nl: 'Binnenlandse zaken', fr: 'Affaires intérieures', de: 'Inneres', en: 'Home affairs' } },
  { id: 'foreign-affairs', names: { nl: 'Buitenlandse zaken', fr: 'Affaires étrangères', de: 'Auswärtige Angelegenheiten', en: 'Foreign affairs' } },
  { id: 'economy', names: { nl: 'Economie', fr: 'Économie', de: 'Wirtschaft', en: 'Economy' } },
  { id: 'finance', names: { nl: 'Financiën', fr: 'Finances', de: 'Finanzen', en: 'Finance' } },
  { id: 'health-care', names: { nl: 'Gezondheidszorg', fr: 'Soins de santé', de: 'Gesundheitswesen', en: 'Health care' } },
  { id: 'housing', names: { nl: 'Huisvesting', fr: 'Logement', de: 'Wohnungswesen', en: 'Housing' } },
  { id: 'justice', names: { nl: 'Justitie', fr: 'Justice', de: 'Justiz', en: 'Justice' } },
  { id: 'mobility', names: { nl: 'Mobiliteit', fr: 'Mobilité', de: 'Mobilität', en: 'Mobility' } },
];

export interface MandateType {
  id: string;
  names: Record<Language, string>;
  /** The domain whose access managers may act for an enterprise in this kind of mandate. */
  domain: string;
}

export const MANDATE_TYPES: MandateType[] = [
  { id: 'tax-on-web', names: { nl: 'Tax-on-web', fr: 'Tax-on-web', de: 'Tax-on-web', en: 'Tax-on-web' }, domain: 'finance' },
  { id: 'biztax', names: { nl: 'Biztax', fr: 'Biztax', de: 'Biztax', en: 'Biztax' }, domain: 'finance' },
  { id: 'ehealth', names: { nl: 'eHealth', fr: 'eHealth', de: 'eHealth', en: 'eHealth' }, domain: 'health-care' },
];

export function findDomain(id: string): Domain | undefined {
  return DOMAINS.find((d) => d.id === id);
}

export function findMandateType(id: string): MandateType | undefined {
  return MANDATE_TYPES.find((m) => m.id === id.toLowerCase());
}

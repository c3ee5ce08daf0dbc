/**
 * The four kinds of virtual card: what differs between a 1.7 eID (RSA-2048),
 * a 1.8 eID (EC P-384), a Kids-ID and a foreigner card.
 */
import type { TestKeyType, TestPerson } from '../test-pki/test-pki.js';
import { ATR_APPLET_1_7, ATR_APPLET_1_8 } from './belpic-constants.js';

export type VirtualCardProfile = '1.7' | '1.8' | 'kids' | 'foreigner';

export const VIRTUAL_CARD_PROFILES: readonly VirtualCardProfile[] = ['1.7', '1.8', 'kids', 'foreigner'];

export interface CardProfileFacts {
  keyType: TestKeyType;
  caName: 'Citizen CA' | 'Foreigner CA';
  /** A signature key 0x83 and certificate 5039 (Kids-ID has neither). */
  withSigning: boolean;
  atr: Uint8Array;
  /** GET CARD DATA byte 21 */
  appletVersion: 0x17 | 0x18;
  /** Identity tag 0F */
  documentType: string;
  /** Years between validity begin and end printed on the card. */
  validityYears: number;
  /** Who the card belongs to when the caller gives nobody. */
  defaultPerson: TestPerson;
  nationality: string;
}

export function profileFacts(profile: VirtualCardProfile): CardProfileFacts {
  switch (profile) {
    case '1.7':
      return {
        keyType: 'rsa',
        caName: 'Citizen CA',
        withSigning: true,
        atr: ATR_APPLET_1_7,
        appletVersion: 0x17,
        documentType: '1',
        validityYears: 10,
        defaultPerson: { givenNames: 'Alice Marie', surname: 'Peeters', nationalNumber: '85073000259' },
        nationality: 'Belg',
      };
    case '1.8':
      return {
        keyType: 'ec',
        caName: 'Citizen CA',
        withSigning: true,
        atr: ATR_APPLET_1_8,
        appletVersion: 0x18,
        documentType: '1',
        validityYears: 10,
        defaultPerson: { givenNames: 'Alice Marie', surname: 'Peeters', nationalNumber: '85073000259' },
        nationality: 'Belg',
      };
    case 'kids':
      return {
        keyType: 'rsa',
        caName: 'Citizen CA',
        withSigning: false,
        atr: ATR_APPLET_1_7,
        appletVersion: 0x17,
        documentType: '6',
        validityYears: 3,
        // A boy born 2018-03-14 (a 2000s national number: checksum over 2 followed by the first nine digits).
        defaultPerson: { givenNames: 'Lucas Jan', surname: 'Peeters', nationalNumber: '18031400107' },
        nationality: 'Belg',
      };
    case 'foreigner':
      return {
        keyType: 'rsa',
        caName: 'Foreigner CA',
        withSigning: true,
        atr: ATR_APPLET_1_7,
        appletVersion: 0x17,
        // 11: card type A (temporary residence)
        documentType: '11',
        validityYears: 5,
        defaultPerson: { givenNames: 'Jan Pieter Willem', surname: 'de Vries', nationalNumber: '90051212384' },
        nationality: 'Nederlander',
      };
  }
}

export function isVirtualCardProfile(value: string): value is VirtualCardProfile {
  return (VIRTUAL_CARD_PROFILES as readonly string[]).includes(value);
}

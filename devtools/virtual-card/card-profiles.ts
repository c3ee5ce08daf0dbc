/**
 * The four kinds of virtual card: what differs between a 1.7 eID (RSA-2048),
 * a 1.8 eID (EC P-384), a Kids-ID and a foreigner card. The applet's own
 * behaviour (ATR, GET CARD DATA, keys, files) comes from the card-generations
 * table in shared/belpic/card-generations.ts.
 */
import type { TestKeyType, TestPerson } from '../test-pki/test-pki.js';
import { cardGeneration, type CardGeneration, type CardGenerationName } from '../../shared/belpic/card-generations.js';

export type VirtualCardProfile = '1.7' | '1.8' | 'kids' | 'foreigner';

export const VIRTUAL_CARD_PROFILES: readonly VirtualCardProfile[] = ['1.7', '1.8', 'kids', 'foreigner'];

export interface CardProfileFacts {
  /** The applet generation the card plays. */
  generation: CardGeneration;
  /** The test PKI's key type, as the generation's key dictates. */
  keyType: TestKeyType;
  caName: 'Citizen CA' | 'Foreigner CA';
  /** A signature key 0x83 and certificate 5039 (Kids-ID has neither). */
  withSigning: boolean;
  /** Identity tag 0F */
  documentType: string;
  /** Years between validity begin and end printed on the card. */
  validityYears: number;
  /** Who the card belongs to when the caller gives nobody. */
  defaultPerson: TestPerson;
  nationality: string;
}

type ProfileRow = Omit<CardProfileFacts, 'generation' | 'keyType'> & { generation: CardGenerationName };

const ADULT: TestPerson = { givenNames: 'Alice Marie', surname: 'Peeters', nationalNumber: '85073000259' };
const BELGIAN_EID = { caName: 'Citizen CA', withSigning: true, documentType: '1', validityYears: 10, defaultPerson: ADULT, nationality: 'Belg' } as const;

const PROFILES: Record<VirtualCardProfile, ProfileRow> = {
  '1.7': { ...BELGIAN_EID, generation: '1.7' },
  '1.8': { ...BELGIAN_EID, generation: '1.8' },
  kids: {
    generation: '1.7',
    caName: 'Citizen CA',
    withSigning: false,
    documentType: '6',
    validityYears: 3,
    // A boy born 2018-03-14 (a 2000s national number: checksum over 2 followed by the first nine digits).
    defaultPerson: { givenNames: 'Lucas Jan', surname: 'Peeters', nationalNumber: '18031400107' },
    nationality: 'Belg',
  },
  foreigner: {
    generation: '1.7',
    caName: 'Foreigner CA',
    withSigning: true,
    // 11: card type A (temporary residence)
    documentType: '11',
    validityYears: 5,
    defaultPerson: { givenNames: 'Jan Pieter Willem', surname: 'de Vries', nationalNumber: '90051212384' },
    nationality: 'Nederlander',
  },
};

export function profileFacts(profile: VirtualCardProfile): CardProfileFacts {
  const row = PROFILES[profile];
  const generation = cardGeneration(row.generation);
  if (!generation.virtualChip) throw new Error(`The virtual card cannot play applet ${generation.appletLabel}: its row has no virtualChip`);
  return { ...row, generation, keyType: generation.key.type === 'EC' ? 'ec' : 'rsa' };
}

export function isVirtualCardProfile(value: string): value is VirtualCardProfile {
  return (VIRTUAL_CARD_PROFILES as readonly string[]).includes(value);
}

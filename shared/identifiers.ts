/**
 * Belgian identifiers: the national number (rijksregisternummer / INSZ, with
 * BIS numbers) and the enterprise number (KBO). Both end in a mod-97 check.
 */

export interface NationalNumberInfo {
  /** 11 digits, no separators */
  nationalNumber: string;
  /** YY.MM.DD-SSS.CC */
  formatted: string;
  /** A BIS number (for people not in the national register): the month is raised by 20 or 40. */
  bis: boolean;
  /** Known from the sequence for national numbers and BIS +40; unknown for BIS +20. */
  sex: 'M' | 'F' | undefined;
  /** ISO date; month or day may be "00" when unknown. The century follows from the checksum. */
  birthDate: string;
}

function digitsOnly(value: string): string {
  // People type national numbers as 85.07.30-001.60 or with spaces; accept any of these separators.
  return value.replace(/[\s.\-/]/g, '');
}

/**
 * Parses and checks a national number or BIS number. Returns undefined when it is not valid.
 */
export function parseNationalNumber(value: string): NationalNumberInfo | undefined {
  const nn = digitsOnly(value);
  if (!/^\d{11}$/.test(nn)) return undefined;
  const first9 = Number(nn.slice(0, 9));
  const check = Number(nn.slice(9));
  let century: 1900 | 2000;
  if (97 - (first9 % 97) === check) century = 1900;
  else if (97 - ((2_000_000_000 + first9) % 97) === check) century = 2000;
  else return undefined;

  const yy = Number(nn.slice(0, 2));
  let month = Number(nn.slice(2, 4));
  const day = Number(nn.slice(4, 6));
  const sequence = Number(nn.slice(6, 9));
  let bis = false;
  let sexKnown = true;
  if (month >= 40) {
    month -= 40;
    bis = true;
  } else if (month >= 20) {
    month -= 20;
    bis = true;
    sexKnown = false;
  }
  if (month > 12 || day > 31) return undefined;
  if (month !== 0 && day !== 0) {
    const date = new Date(Date.UTC(century + yy, month - 1, day));
    if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  }
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    nationalNumber: nn,
    formatted: formatNationalNumber(nn),
    bis,
    sex: sexKnown ? (sequence % 2 === 1 ? 'M' : 'F') : undefined,
    birthDate: `${century + yy}-${pad(month)}-${pad(day)}`,
  };
}

export function isValidNationalNumber(value: string): boolean {
  return parseNationalNumber(value) !== undefined;
}

/** YY.MM.DD-SSS.CC, the way the card and the government print it. */
export function formatNationalNumber(value: string): string {
  const nn = digitsOnly(value);
  if (!/^\d{11}$/.test(nn)) return value;
  return `${nn.slice(0, 2)}.${nn.slice(2, 4)}.${nn.slice(4, 6)}-${nn.slice(6, 9)}.${nn.slice(9)}`;
}

/**
 * Enterprise number: 10 digits, first digit 0 or 1, last two = 97 − (first 8 mod 97).
 * Old 9-digit numbers get a leading 0. Returns the 10 digits, or undefined when invalid.
 */
export function parseEnterpriseNumber(value: string): string | undefined {
  let n = digitsOnly(value).replace(/^BE/i, '');
  if (/^\d{9}$/.test(n)) n = `0${n}`;
  if (!/^[01]\d{9}$/.test(n)) return undefined;
  const check = 97 - (Number(n.slice(0, 8)) % 97);
  return check === Number(n.slice(8)) ? n : undefined;
}

export function isValidEnterpriseNumber(value: string): boolean {
  return parseEnterpriseNumber(value) !== undefined;
}

/** 0xxx.xxx.xxx */
export function formatEnterpriseNumber(value: string): string {
  const n = parseEnterpriseNumber(value);
  return n === undefined ? value : `${n.slice(0, 4)}.${n.slice(4, 7)}.${n.slice(7)}`;
}

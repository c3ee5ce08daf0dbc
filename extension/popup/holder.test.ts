import { describe, expect, it } from 'vitest';
import { holderName } from './holder.js';

describe('holderName', () => {
  it('drops the certificate role from the common name', () => {
    expect(holderName('Alice Marie Peeters (Authentication)')).toBe('Alice Marie Peeters');
    expect(holderName('Jan Peeters (Signature)')).toBe('Jan Peeters');
    expect(holderName('Test Token')).toBe('Test Token');
  });
});

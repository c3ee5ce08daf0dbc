import { describe, expect, it } from 'vitest';
import { codeProblem, credentialsProblems, emailProblem, hasErrors, phoneProblem } from './validation.js';

describe('popup form checks', () => {
  it('asks for the mobile number without spaces, with the country code', () => {
    expect(phoneProblem('+32470123456')).toBeUndefined();
    expect(phoneProblem('+32 470 12 34 56')).toBe('v.phone');
    expect(phoneProblem('0470123456')).toBe('v.phone');
    expect(phoneProblem('')).toBe('v.required');
  });

  it('checks e-mail addresses and 6-digit codes (spaces allowed in codes)', () => {
    expect(emailProblem('jan@example.be')).toBeUndefined();
    expect(emailProblem('jan@')).toBe('v.email');
    expect(codeProblem('123 456')).toBeUndefined();
    expect(codeProblem('12345')).toBe('v.code');
    expect(codeProblem(' ')).toBe('v.required');
  });

  it('checks a new username and password: length, allowed characters, the confirmation', () => {
    expect(credentialsProblems({ username: 'jan.peeters', password: 'lang-genoeg', confirm: 'lang-genoeg' })).toEqual({});
    expect(credentialsProblems({ username: 'j', password: 'kort', confirm: 'anders' })).toEqual({ username: 'v.username', password: 'v.passwordShort', confirm: 'v.passwordMismatch' });
    expect(credentialsProblems({ username: 'Élodie_1', password: 'x' })).toEqual({});
    expect(hasErrors(credentialsProblems({ username: '', password: '' }))).toBe(true);
  });
});

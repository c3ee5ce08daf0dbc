export * from './errors.js';
export * from './nonce-store.js';
export * from './sql-nonce-store.js';
export * from './validator.js';
export type { OcspOptions } from './ocsp.js';
export * from './fetch.js';

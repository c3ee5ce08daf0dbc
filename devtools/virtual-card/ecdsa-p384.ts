/**
 * ECDSA on NIST P-384 over a digest the caller already computed, as a card does
 * (PSO COMPUTE DIGITAL SIGNATURE receives a hash, never the message). Node 20's
 * crypto.sign always hashes its input for EC keys and has no "pre-hashed" mode,
 * so the card emulator does the curve arithmetic itself with BigInt.
 *
 * Not constant-time: this signs with test keys of a virtual card, never with a
 * real person's key. Signatures are checked with node:crypto in the tests.
 */
import { randomBytes } from 'node:crypto';

// Curve parameters of P-384 (FIPS 186-4 D.1.2.4 / SEC 2 secp384r1).
const P = 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n;
const N = 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n;
const B = 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn;
const GX = 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n;
const GY = 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn;
/** Size of one coordinate, and of r and s, in bytes. */
export const P384_FIELD_BYTES = 48;

/** A point in Jacobian coordinates (X/Z², Y/Z³); Z = 0 is the point at infinity. */
interface JacobianPoint {
  x: bigint;
  y: bigint;
  z: bigint;
}

const INFINITY: JacobianPoint = { x: 1n, y: 1n, z: 0n };

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r >= 0n ? r : r + m;
}

/** Modular inverse by the extended Euclidean algorithm (m prime, a ≠ 0 mod m). */
function invert(a: bigint, m: bigint): bigint {
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError('not invertible');
  return mod(oldS, m);
}

// Doubling for curves with a = -3 ("dbl-2001-b" formulas).
function double(p: JacobianPoint): JacobianPoint {
  if (p.z === 0n || p.y === 0n) return INFINITY;
  const delta = mod(p.z * p.z, P);
  const gamma = mod(p.y * p.y, P);
  const beta = mod(p.x * gamma, P);
  const alpha = mod(3n * (p.x - delta) * (p.x + delta), P);
  const x3 = mod(alpha * alpha - 8n * beta, P);
  const z3 = mod((p.y + p.z) ** 2n - gamma - delta, P);
  const y3 = mod(alpha * (4n * beta - x3) - 8n * gamma * gamma, P);
  return { x: x3, y: y3, z: z3 };
}

// General addition ("add-2007-bl" formulas).
function add(p: JacobianPoint, q: JacobianPoint): JacobianPoint {
  if (p.z === 0n) return q;
  if (q.z === 0n) return p;
  const z1z1 = mod(p.z * p.z, P);
  const z2z2 = mod(q.z * q.z, P);
  const u1 = mod(p.x * z2z2, P);
  const u2 = mod(q.x * z1z1, P);
  const s1 = mod(p.y * q.z * z2z2, P);
  const s2 = mod(q.y * p.z * z1z1, P);
  if (u1 === u2) return s1 === s2 ? double(p) : INFINITY;
  const h = mod(u2 - u1, P);
  const i = mod(4n * h * h, P);
  const j = mod(h * i, P);
  const r = mod(2n * (s2 - s1), P);
  const v = mod(u1 * i, P);
  const x3 = mod(r * r - j - 2n * v, P);
  const y3 = mod(r * (v - x3) - 2n * s1 * j, P);
  const z3 = mod(((p.z + q.z) ** 2n - z1z1 - z2z2) * h, P);
  return { x: x3, y: y3, z: z3 };
}

function multiply(k: bigint, point: JacobianPoint): JacobianPoint {
  let result = INFINITY;
  for (let bit = BigInt(k.toString(2).length - 1); bit >= 0n; bit -= 1n) {
    result = double(result);
    if ((k >> bit) & 1n) result = add(result, point);
  }
  return result;
}

function toAffine(p: JacobianPoint): { x: bigint; y: bigint } {
  if (p.z === 0n) throw new RangeError('point at infinity');
  const zInv = invert(p.z, P);
  const zInv2 = mod(zInv * zInv, P);
  return { x: mod(p.x * zInv2, P), y: mod(p.y * zInv2 * zInv, P) };
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

export function bigIntToBytes(n: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let v = n;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new RangeError('number too large');
  return out;
}

/** The public point d·G, affine, for checks against a key's published coordinates. */
export function p384PublicPoint(privateScalar: Uint8Array): { x: Uint8Array; y: Uint8Array } {
  const { x, y } = toAffine(multiply(bytesToBigInt(privateScalar), { x: GX, y: GY, z: 1n }));
  return { x: bigIntToBytes(x, P384_FIELD_BYTES), y: bigIntToBytes(y, P384_FIELD_BYTES) };
}

/** True when (x, y) satisfies y² = x³ − 3x + b (used to check the constants above). */
export function p384IsOnCurve(x: Uint8Array, y: Uint8Array): boolean {
  const xi = bytesToBigInt(x);
  const yi = bytesToBigInt(y);
  return mod(yi * yi - (xi ** 3n - 3n * xi + B), P) === 0n;
}

export const P384_GENERATOR = { x: bigIntToBytes(GX, P384_FIELD_BYTES), y: bigIntToBytes(GY, P384_FIELD_BYTES) };

/**
 * Signs a digest with the private scalar d (48 bytes big-endian) and returns
 * raw r‖s (96 bytes), the card's output format. Digests longer than 48 bytes
 * are truncated to their leftmost 384 bits (SEC 1, 4.1.3 step 5).
 */
export function signP384Digest(privateScalar: Uint8Array, digest: Uint8Array): Uint8Array {
  const d = bytesToBigInt(privateScalar);
  if (d <= 0n || d >= N) throw new RangeError('private scalar out of range');
  const e = mod(bytesToBigInt(digest.subarray(0, P384_FIELD_BYTES)), N);
  const g: JacobianPoint = { x: GX, y: GY, z: 1n };
  for (;;) {
    // k uniform in [1, n-1]: 64 extra bits make the modulo bias negligible.
    const k = mod(bytesToBigInt(randomBytes(P384_FIELD_BYTES + 8)), N - 1n) + 1n;
    const r = mod(toAffine(multiply(k, g)).x, N);
    if (r === 0n) continue;
    const s = mod(invert(k, N) * (e + r * d), N);
    if (s === 0n) continue;
    const out = new Uint8Array(2 * P384_FIELD_BYTES);
    out.set(bigIntToBytes(r, P384_FIELD_BYTES), 0);
    out.set(bigIntToBytes(s, P384_FIELD_BYTES), P384_FIELD_BYTES);
    return out;
  }
}

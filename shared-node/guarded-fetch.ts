/**
 * A fetcher for addresses taken from certificates nobody has verified yet
 * (AIA caIssuers and OCSP), so that a forged certificate cannot make the
 * server call somewhere it should not (server-side request forgery):
 *
 *   - http or https, GET or POST, no credentials in the address;
 *   - only host names on an allow-list (checked before anything is resolved);
 *   - the name is resolved once and EVERY address must be public (not
 *     loopback, private, link-local, shared, multicast, documentation…, IPv4
 *     and IPv6, IPv4-mapped IPv6 judged by its IPv4 address), and the
 *     connection goes to that checked address, so a second DNS answer
 *     (rebinding) cannot swap it;
 *   - no redirects (3xx is a failure), one total timeout, the body capped
 *     while it streams.
 *
 * Every refusal is a GuardedFetchError with its own code.
 */
import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { concatBytes } from '../shared/bytes.js';
import { CodedError } from '../shared/token-validator/errors.js';
import { DEFAULT_FETCH_MAX_BYTES, DEFAULT_FETCH_TIMEOUT_MS, type FetchLimits, type ResourceFetch } from '../shared/token-validator/fetch.js';

export const GUARDED_FETCH_ERROR_CODES = [
  /** Not http or https, or a user name or password in the address. */
  'PROTOCOL_NOT_ALLOWED',
  /** The host name is not on the allow-list. */
  'HOST_NOT_ALLOWED',
  /** The host name resolves to a loopback, private, link-local or other non-public address. */
  'ADDRESS_NOT_PUBLIC',
  /** The host name does not resolve. */
  'HOST_NOT_FOUND',
  /** The server answered with a redirect. */
  'REDIRECT_REFUSED',
  /** The server answered with another status than 2xx. */
  'HTTP_STATUS',
  /** The body is larger than allowed. */
  'BODY_TOO_LARGE',
  /** The exchange took longer than allowed. */
  'TIMEOUT',
  /** The connection failed or broke. */
  'NETWORK',
] as const;

export type GuardedFetchErrorCode = (typeof GUARDED_FETCH_ERROR_CODES)[number];

export class GuardedFetchError extends CodedError<GuardedFetchErrorCode> {
  override readonly name = 'GuardedFetchError';
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address a host name resolves to. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface GuardedFetchOptions extends FetchLimits {
  /** Host names that may be asked (exact, case-insensitive); 'any' only for an address an operator configured. */
  allowedHosts: readonly string[] | 'any';
  /** Refuse every non-public address. Default true; false only for an address an operator configured. */
  publicAddressesOnly?: boolean;
  /** How names are resolved; default the system resolver (tests inject their own). */
  resolve?: HostResolver;
}

const systemResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/**
 * Address blocks that are not the public internet: the IANA IPv4 and IPv6
 * special-purpose address registries (RFC 6890 and its updates), plus IPv6
 * blocks that carry an IPv4 address of their own (NAT64, 6to4, Teredo).
 */
const NOT_PUBLIC = new BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services live here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  NOT_PUBLIC.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [
  ['::', 96], // unspecified, loopback, IPv4-compatible
  ['64:ff9b::', 96], // NAT64
  ['64:ff9b:1::', 48], // local NAT64
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments, Teredo
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  NOT_PUBLIC.addSubnet(prefix, bits, 'ipv6');
}
/** Public IPv6 unicast is allocated from 2000::/3 only. */
const GLOBAL_UNICAST_V6 = new BlockList();
GLOBAL_UNICAST_V6.addSubnet('2000::', 3, 'ipv6');

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d, in any spelling). */
function mappedIpv4(address: string): string | undefined {
  let canonical: string;
  try {
    // The URL parser writes IPv6 in one canonical form: ::ffff:7f00:1 for ::ffff:127.0.0.1.
    canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const match = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!match) return undefined;
  const high = parseInt(match[1]!, 16);
  const low = parseInt(match[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** True for an address on the public internet; false for loopback, private, link-local and every other special-purpose block. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !NOT_PUBLIC.check(address, 'ipv4');
  if (family !== 6 || address.includes('%')) return false; // zone ids only exist for link-local use
  const v4 = mappedIpv4(address);
  if (v4) return isPublicAddress(v4);
  return GLOBAL_UNICAST_V6.check(address, 'ipv6') && !NOT_PUBLIC.check(address, 'ipv6');
}

function refuse(code: GuardedFetchErrorCode, message: string, cause?: unknown): never {
  throw new GuardedFetchError(code, message, cause === undefined ? undefined : { cause });
}

function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    const abort = () => reject(new GuardedFetchError('TIMEOUT', 'Timed out'));
    if (signal.aborted) abort();
    signal.addEventListener('abort', abort, { once: true });
  });
}

/** Creates a ResourceFetch with the rules above; see GuardedFetchOptions. */
export function createGuardedFetch(options: GuardedFetchOptions): ResourceFetch {
  const timeoutMs = options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_FETCH_MAX_BYTES;
  const publicOnly = options.publicAddressesOnly ?? true;
  const allowed = options.allowedHosts === 'any' ? 'any' : new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  const resolve = options.resolve ?? systemResolver;

  return async (address, request) => {
    let url: URL;
    try {
      url = new URL(address);
    } catch (e) {
      refuse('PROTOCOL_NOT_ALLOWED', 'Not a URL', e);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') refuse('PROTOCOL_NOT_ALLOWED', `Only http and https are fetched, not ${url.protocol}`);
    if (url.username || url.password) refuse('PROTOCOL_NOT_ALLOWED', 'No credentials in a fetched address');
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    if (allowed !== 'any' && !allowed.has(hostname)) refuse('HOST_NOT_ALLOWED', `The host ${hostname} is not on the allow-list`);

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const literal = isIP(hostname);
      let addresses: ResolvedAddress[];
      if (literal) {
        addresses = [{ address: hostname, family: literal === 6 ? 6 : 4 }];
      } else {
        try {
          addresses = await Promise.race([resolve(hostname), untilAborted(controller.signal)]);
        } catch (e) {
          if (e instanceof GuardedFetchError) throw e;
          refuse('HOST_NOT_FOUND', `The host ${hostname} does not resolve`, e);
        }
      }
      if (addresses.length === 0) refuse('HOST_NOT_FOUND', `The host ${hostname} does not resolve`);
      if (publicOnly) {
        const internal = addresses.find((a) => !isPublicAddress(a.address));
        if (internal) refuse('ADDRESS_NOT_PUBLIC', `The host ${hostname} resolves to a non-public address (${internal.address})`);
      }
      return await exchange(url, request, addresses[0]!, maxBytes, controller.signal);
    } catch (e) {
      if (e instanceof GuardedFetchError) throw e;
      if (controller.signal.aborted) refuse('TIMEOUT', `No complete answer from ${hostname} within ${timeoutMs} ms`, e);
      refuse('NETWORK', `The request to ${hostname} failed: ${e instanceof Error ? e.message : String(e)}`, e);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** One request to the checked address; Host header and TLS name stay the URL's. */
function exchange(url: URL, request: Parameters<ResourceFetch>[1], target: ResolvedAddress, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const headers: Record<string, string> = { Accept: request.accept ?? '*/*' };
  if (request.contentType) headers['Content-Type'] = request.contentType;
  if (request.body) headers['Content-Length'] = String(request.body.length);
  const requestOptions: RequestOptions = {
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port || undefined,
    path: `${url.pathname}${url.search}`,
    method: request.method,
    headers,
    lookup: pinned,
    agent: false,
    signal,
  };
  return new Promise<Uint8Array>((resolvePromise, rejectPromise) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      outgoing.destroy();
      rejectPromise(error);
    };
    const onResponse = (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400) return fail(new GuardedFetchError('REDIRECT_REFUSED', `Redirects are not followed (HTTP ${status})`));
      if (status < 200 || status > 299) return fail(new GuardedFetchError('HTTP_STATUS', `HTTP ${status}`));
      if (Number(response.headers['content-length'] ?? '0') > maxBytes) return fail(new GuardedFetchError('BODY_TOO_LARGE', `The answer is larger than ${maxBytes} bytes`));
      const chunks: Uint8Array[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) return fail(new GuardedFetchError('BODY_TOO_LARGE', `The answer is larger than ${maxBytes} bytes`));
        chunks.push(chunk);
      });
      response.on('end', () => {
        if (settled) return;
        settled = true;
        resolvePromise(concatBytes(...chunks));
      });
      response.on('error', fail);
      response.on('aborted', () => fail(new Error('The connection closed before the answer was complete')));
    };
    const outgoing = (url.protocol === 'https:' ? httpsRequest : httpRequest)(requestOptions, onResponse);
    outgoing.on('error', fail);
    outgoing.end(request.body ? Buffer.from(request.body) : undefined);
  });
}

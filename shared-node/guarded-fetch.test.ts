import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGuardedFetch, GuardedFetchError, isPublicAddress, type GuardedFetchErrorCode, type HostResolver } from './guarded-fetch.js';

/** A real server on 127.0.0.1; each path behaves differently, and it counts connections and requests. */
let server: Server;
let port: number;
let connections = 0;
let requests: Array<{ url: string; host: string | undefined }> = [];
/** What the oversized answer managed to write before the client hung up. */
let oversized: { sent: number; total: number; closedEarly: boolean } | undefined;

const OVERSIZED_TOTAL = 64 * 1024 * 1024;
const CHUNK = 16 * 1024;

function handle(req: IncomingMessage, res: ServerResponse): void {
  requests.push({ url: req.url ?? '', host: req.headers.host });
  if (req.url === '/ok') {
    res.writeHead(200, { 'Content-Type': 'application/pkix-cert' });
    res.end('certificate bytes');
  } else if (req.url === '/redirect') {
    res.writeHead(302, { Location: `http://127.0.0.1:${port}/ok` });
    res.end();
  } else if (req.url === '/huge') {
    // No Content-Length: the cap must hold while the body streams.
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    const state = { sent: 0, total: OVERSIZED_TOTAL, closedEarly: false };
    oversized = state;
    const chunk = Buffer.alloc(CHUNK, 0x41);
    res.on('close', () => {
      state.closedEarly = state.sent < state.total;
    });
    const pump = () => {
      while (state.sent < state.total && !res.destroyed) {
        state.sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end();
    };
    pump();
  } else if (req.url === '/silent') {
    // never answers
  } else {
    res.writeHead(404);
    res.end();
  }
}

beforeAll(async () => {
  server = createServer(handle);
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  connections = 0;
  requests = [];
  oversized = undefined;
});

async function refusal(p: Promise<unknown>): Promise<GuardedFetchErrorCode> {
  try {
    await p;
  } catch (e) {
    if (e instanceof GuardedFetchError) return e.code;
    throw e;
  }
  throw new Error('expected a refusal');
}

/** The test server is on loopback: these fetches name it by address and let loopback through, to test the other rules alone. */
const toTestServer = (limits: { timeoutMs?: number; maxBytes?: number } = {}) =>
  createGuardedFetch({ allowedHosts: ['127.0.0.1'], publicAddressesOnly: false, ...limits });

const GET = { method: 'GET' } as const;

describe('the guarded fetcher', () => {
  it('fetches a small answer from an allowed host', async () => {
    const body = await toTestServer()(`http://127.0.0.1:${port}/ok`, GET);
    expect(new TextDecoder().decode(body)).toBe('certificate bytes');
  });

  it('refuses a redirect instead of following it', async () => {
    expect(await refusal(toTestServer()(`http://127.0.0.1:${port}/redirect`, GET))).toBe('REDIRECT_REFUSED');
    expect(requests.map((r) => r.url)).toEqual(['/redirect']);
  });

  it('stops reading an oversized answer as soon as it passes the cap', async () => {
    expect(await refusal(toTestServer({ maxBytes: 64 * 1024 })(`http://127.0.0.1:${port}/huge`, GET))).toBe('BODY_TOO_LARGE');
    await expect.poll(() => oversized?.closedEarly, { timeout: 2000 }).toBe(true);
    // The server saw the connection close long before its 64 MiB were out.
    expect(oversized!.sent).toBeLessThan(OVERSIZED_TOTAL / 4);
  });

  it('gives up on a server that never answers within its one timeout', async () => {
    const started = Date.now();
    expect(await refusal(toTestServer({ timeoutMs: 300 })(`http://127.0.0.1:${port}/silent`, GET))).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('refuses a host off the allow-list before resolving or connecting', async () => {
    let resolved = 0;
    const fetcher = createGuardedFetch({
      allowedHosts: ['certs.eid.belgium.be'],
      resolve: async () => {
        resolved++;
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    expect(await refusal(fetcher(`http://127.0.0.1:${port}/ok`, GET))).toBe('HOST_NOT_ALLOWED');
    expect(await refusal(fetcher(`http://certs.eid.belgium.be.attacker.example:${port}/ok`, GET))).toBe('HOST_NOT_ALLOWED');
    expect(resolved).toBe(0);
    expect(connections).toBe(0);
  });

  it('refuses an allowed name that resolves to loopback, private or link-local addresses, without connecting', async () => {
    const pointing =
      (...addresses: string[]): HostResolver =>
      async () =>
        addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    for (const addresses of [['127.0.0.1'], ['10.1.2.3'], ['169.254.169.254'], ['::1'], ['::ffff:127.0.0.1'], ['fe80::1'], ['fd00::1'], ['193.191.245.1', '192.168.1.1']]) {
      const fetcher = createGuardedFetch({ allowedHosts: ['ca.test'], resolve: pointing(...addresses) });
      expect(await refusal(fetcher(`http://ca.test:${port}/ok`, GET)), addresses.join(',')).toBe('ADDRESS_NOT_PUBLIC');
    }
    // An address literal is judged the same way as a resolved name.
    expect(await refusal(createGuardedFetch({ allowedHosts: 'any' })(`http://127.0.0.1:${port}/ok`, GET))).toBe('ADDRESS_NOT_PUBLIC');
    expect(await refusal(createGuardedFetch({ allowedHosts: 'any' })(`http://[::ffff:7f00:1]:${port}/ok`, GET))).toBe('ADDRESS_NOT_PUBLIC');
    expect(connections).toBe(0);
  });

  it('resolves once and connects to the address it checked, keeping the name in the Host header', async () => {
    const answers = ['127.0.0.1', '10.9.9.9'];
    let resolved = 0;
    const fetcher = createGuardedFetch({
      allowedHosts: ['ca.test'],
      publicAddressesOnly: false,
      resolve: async () => [{ address: answers[resolved++]!, family: 4 }],
    });
    const body = await fetcher(`http://ca.test:${port}/ok`, GET);
    expect(new TextDecoder().decode(body)).toBe('certificate bytes');
    expect(resolved).toBe(1);
    expect(requests).toEqual([{ url: '/ok', host: `ca.test:${port}` }]);
  });

  it('fetches only http and https, without credentials', async () => {
    const fetcher = createGuardedFetch({ allowedHosts: 'any', publicAddressesOnly: false });
    expect(await refusal(fetcher('file:///etc/passwd', GET))).toBe('PROTOCOL_NOT_ALLOWED');
    expect(await refusal(fetcher(`ftp://127.0.0.1:${port}/ok`, GET))).toBe('PROTOCOL_NOT_ALLOWED');
    expect(await refusal(fetcher(`http://user:pw@127.0.0.1:${port}/ok`, GET))).toBe('PROTOCOL_NOT_ALLOWED');
    expect(connections).toBe(0);
  });
});

describe('isPublicAddress', () => {
  it('refuses every special-purpose block, IPv4 and IPv6, also IPv4 inside IPv6', () => {
    const internal = [
      '0.0.0.0', '10.0.0.1', '100.64.0.1', '127.0.0.1', '127.255.255.254', '169.254.169.254', '172.16.0.1', '172.31.255.255',
      '192.0.0.8', '192.0.2.1', '192.168.0.1', '198.18.0.1', '203.0.113.9', '224.0.0.1', '255.255.255.255',
      '::', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:a9fe:a9fe', '64:ff9b::a00:1', '2001:db8::1',
      '2002:7f00:1::1', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'fe80::1%eth0', 'ff02::1', 'not an address',
    ];
    for (const address of internal) expect(isPublicAddress(address), address).toBe(false);
  });

  it('accepts public unicast addresses', () => {
    for (const address of ['193.191.245.1', '8.8.8.8', '172.32.0.1', '::ffff:8.8.8.8', '2a02:2c40::1', '2001:4860:4860::8888']) {
      expect(isPublicAddress(address), address).toBe(true);
    }
  });
});

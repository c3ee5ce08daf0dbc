/**
 * Backend input (issue #16, item 4): malformed requests across every route the
 * reference backend has (read from the running server's route table): wrong
 * and missing fields, wrong types, bodies over the size limit, deep nesting,
 * bad JSON, other content types, bad cookies, CSRF tokens, origins and bearer
 * tokens, wrong methods and odd path parameters. Half go through
 * light-my-request (app.inject), half over real HTTP. No answer may be a 5xx,
 * every answer must come (a timeout per request), an /api error must be the
 * API's error shape, the server must keep serving and its memory stay flat.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniformRequestCaps } from '../../backend/config.js';
import { STAFF, startTestBackend, type TestBackend } from '../../backend/tests/helpers.js';
import { projectRoot } from '../helpers/host-process.js';
import { CHECK_TIMEOUT_MS, Tally, caseCount, checkSeed, heapInUse, megabytes, preview } from './check.js';

interface Route {
  path: string;
  methods: string[];
}

/** The route table as the server prints it (one route a line, children indented under their parent). */
function routesOf(printed: string): Route[] {
  const routes: Route[] = [];
  const stack: string[] = [];
  for (const line of printed.split('\n')) {
    const m = /^([│\s]*)[├└]── (\S+) \(([A-Z, ]+)\)/.exec(line) ?? /^()└── (\S+) \(([A-Z, ]+)\)/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const parent = depth === 0 ? '' : stack[depth - 1]!;
    const path = parent.endsWith('/') || m[2]!.startsWith('/') ? parent + m[2] : `${parent}/${m[2]}`;
    stack[depth] = path;
    stack.length = depth + 1;
    routes.push({ path, methods: m[3]!.split(', ') });
  }
  return routes;
}

/** Field names the routes' schemas use, read from their sources, so generated bodies hit real fields. */
function fieldNames(): string[] {
  const names = new Set(['authToken', 'challengeNonce', 'minLevel', 'ticket', 'domain', 'nn', 'type', 'until', 'role', 'csv']);
  const root = projectRoot();
  for (const dir of ['backend/routes', 'backend/access']) {
    for (const file of readdirSync(join(root, dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      for (const m of readFileSync(join(root, dir, file), 'utf8').matchAll(/\b([a-zA-Z]+): (?:text|optionalText|oneOf|flag|minLevel|\{ type)\b/g)) names.add(m[1]!);
    }
  }
  return [...names];
}

interface GeneratedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  kind: string;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
const BODY_LIMIT = 64 * 1024;

function requestArbitrary(routes: Route[], fields: string[], origin: string): fc.Arbitrary<GeneratedRequest> {
  const pathParameter = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.integer().map(String),
    fc.constantFrom('..', '%00', '%2e%2e%2f', '85073003328', 'ABC-123', '0'.repeat(300), '%ff%fe', '\u0000'),
    fc.string({ unit: 'grapheme', maxLength: 10 }),
  );
  const urlOf = fc.tuple(fc.constantFrom(...routes), fc.array(pathParameter, { minLength: 4, maxLength: 4 }), fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 }), { maxKeys: 3 }), { nil: undefined })).map(([route, params, query]) => {
    let i = 0;
    const path = route.path.replace(/:[a-zA-Z]+/g, () => {
      const p = params[i++]!;
      // Some raw (already escaped or invalid escapes), most encoded.
      return p.startsWith('%') ? p : encodeURIComponent(p);
    });
    const search = query ? `?${new URLSearchParams(query).toString()}` : '';
    return { route, url: path + search };
  });
  const value: fc.Arbitrary<unknown> = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
    fc.integer({ min: 200, max: 5000 }).map((n) => 'x'.repeat(n)),
    fc.constantFrom('', ' ', '85.07.30-033.28', 'a@b', 'password', 'email', 'sms', 'totp', '__proto__', '<script>'),
  );
  const jsonBody = fc.dictionary(fc.oneof(fc.constantFrom(...fields), fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor')), value, { maxKeys: 8 }).map((o) => JSON.stringify(o));
  const body: fc.Arbitrary<{ kind: string; body?: string; contentType?: string }> = fc.oneof(
    { weight: 10, arbitrary: jsonBody.map((b) => ({ kind: 'fields of wrong or right types', body: b, contentType: 'application/json' })) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ kind: 'any JSON', body: JSON.stringify(v), contentType: 'application/json' })) },
    { weight: 2, arbitrary: fc.tuple(jsonBody, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([b, at, c]) => ({ kind: 'bad JSON', body: b.slice(0, at % (b.length + 1)) + String.fromCharCode(c), contentType: 'application/json' })) },
    { weight: 1, arbitrary: fc.integer({ min: BODY_LIMIT - 64, max: BODY_LIMIT * 2 }).map((n) => ({ kind: 'huge body', body: JSON.stringify({ password: 'p'.repeat(n) }), contentType: 'application/json' })) },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 100, max: 20_000 }), fc.boolean()).map(([d, arrays]) => ({ kind: 'deep nesting', body: arrays ? `${'['.repeat(d)}${']'.repeat(d)}` : `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`, contentType: 'application/json' })) },
    { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 200 }), fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=latin1', '')).map(([b, contentType]) => ({ kind: 'other content type', body: b, contentType })) },
    { weight: 2, arbitrary: fc.constant({ kind: 'no body' }) },
  );
  const cookie = fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 60 }).map((v) => `session=${encodeURIComponent(v)}`),
    fc.constantFrom('session=', 'session', '=;=;', 'session=a; session=b', `session=${'A'.repeat(4000)}`, 'session=%ZZ', 'csrf=x; session=y'),
  );
  const header = fc.record(
    {
      cookie,
      csrf: fc.oneof(fc.string({ maxLength: 80 }), fc.constant('A'.repeat(43))),
      origin: fc.constantFrom(origin, 'https://evil.example', 'null', 'chrome-extension://abcdefghijklmnopabcdefghijklmnop', ''),
      authorization: fc.oneof(fc.constant(STAFF.Authorization), fc.string({ maxLength: 60 }).map((t) => `Bearer ${t}`), fc.constantFrom('Basic Zm9vOmJhcg==', 'Bearer', 'Bearer test-admin-token ')),
    },
    { requiredKeys: [] },
  );
  return fc.tuple(urlOf, fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }), body, header).map(([{ route, url }, otherMethod, b, h]) => {
    const method = otherMethod ?? route.methods[0]!;
    const headers: Record<string, string> = {};
    if (h.cookie) headers.cookie = h.cookie;
    if (h.csrf !== undefined) headers['x-csrf-token'] = h.csrf.replace(/[^\x20-\x7e]/g, '');
    if (h.origin) headers.origin = h.origin;
    if (h.authorization) headers.authorization = h.authorization.replace(/[^\x20-\x7e]/g, '');
    const sendsBody = method !== 'GET' && method !== 'HEAD' && b.body !== undefined;
    if (sendsBody && b.contentType) headers['content-type'] = b.contentType;
    return { method, url, headers, ...(sendsBody ? { body: b.body } : {}), kind: `${method} ${route.path}, ${b.kind}` };
  });
}

interface Answer {
  status: number;
  body: string;
}

const REQUEST_TIMEOUT_MS = 15_000;
/**
 * The heap after garbage collection is flat when the second half of the run adds less than this
 * (caches fill in the first half; a leak keeps growing with the count).
 */
const SECOND_HALF_GROWTH_LIMIT = 32 * 1024 * 1024;

let tb: TestBackend;
beforeAll(async () => {
  tb = await startTestBackend({ limits: { requests: uniformRequestCaps(100_000_000), ipFailures: 100_000_000, accountFailuresBeforeLock: 100_000_000 } });
});
afterAll(async () => {
  await tb?.stop();
});

async function send(r: GeneratedRequest, overHttp: boolean): Promise<Answer> {
  if (!overHttp) {
    const res = await tb.server.app.inject({ method: r.method as 'GET', url: r.url, headers: r.headers, ...(r.body !== undefined ? { payload: r.body } : {}) });
    return { status: res.statusCode, body: res.body };
  }
  const res = await fetch(tb.server.url + r.url, { method: r.method, headers: r.headers, body: r.body, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  return { status: res.status, body: await res.text() };
}

/** Why an answer is not acceptable, or undefined. */
function answerProblem(r: GeneratedRequest, a: Answer): string | undefined {
  if (a.status >= 500) return `${a.status} ${preview(a.body)}`;
  if (a.status >= 400 && r.url.startsWith('/api/') && r.method !== 'HEAD') {
    try {
      const code = (JSON.parse(a.body) as { error?: { code?: unknown } }).error?.code;
      if (typeof code !== 'string') return `${a.status} without an error code: ${preview(a.body)}`;
    } catch {
      return `${a.status} not in the API's error shape: ${preview(a.body)}`;
    }
  }
  return undefined;
}

describe('reliability: backend input', () => {
  it('malformed requests to every route get no 5xx, and the backend keeps serving with flat memory', { timeout: CHECK_TIMEOUT_MS }, async () => {
    const tally = new Tally('backend input');
    const seed = checkSeed();
    const total = caseCount(100_000, 2_000);
    const routes = routesOf(tb.server.app.printRoutes({ commonPrefix: false }));
    expect(routes.length).toBeGreaterThan(40);
    const arbitrary = requestArbitrary(routes, fieldNames(), tb.server.origin);
    const statuses = new Map<number, number>();
    const started = performance.now();
    let heapAfterWarmUp = 0;
    let heapAtHalf = 0;
    let rssAfterWarmUp = 0;
    const BATCH = 200;
    /** Requests in flight at once over HTTP, as many browsers would send. */
    const CONCURRENCY = 16;
    for (let done = 0; done < total; done += BATCH) {
      const batch = fc.sample(arbitrary, { numRuns: Math.min(BATCH, total - done), seed: seed + done });
      let next = 0;
      const worker = async () => {
        while (next < batch.length) {
          const i = next++;
          const r = batch[i]!;
          // Every other request over real HTTP, the rest through light-my-request.
          const overHttp = (done + i) % 2 === 1;
          let problem: string | undefined;
          try {
            const a = await send(r, overHttp);
            statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
            problem = answerProblem(r, a);
          } catch (e) {
            problem = `no answer (${(e as Error).message})`;
          }
          tally.count(problem === undefined, () => `${r.kind} ${overHttp ? 'over HTTP' : 'injected'} ${r.method} ${preview(r.url, 100)} ${preview(r.body ?? '', 120)}: ${problem}`);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      if (done === Math.floor(total / BATCH / 2) * BATCH) heapAtHalf = heapInUse();
      if (done === 0) {
        heapAfterWarmUp = heapInUse();
        rssAfterWarmUp = process.memoryUsage().rss;
      }
    }
    const health = await fetch(`${tb.server.url}/healthz`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }).then((r) => r.status, (e: Error) => e.message);
    tally.count(health === 200, () => `healthz after the run: ${health}`);
    const heapAtEnd = heapInUse();
    const rssAtEnd = process.memoryUsage().rss;
    tally.count(heapAtEnd - heapAtHalf < SECOND_HALF_GROWTH_LIMIT, () => `the heap grew from ${megabytes(heapAtHalf)} at half way to ${megabytes(heapAtEnd)} at the end`);
    const byClass = [2, 3, 4, 5].map((c) => `${c}xx ${[...statuses].filter(([s]) => Math.floor(s / 100) === c).reduce((n, [, k]) => n + k, 0)}`).join(', ');
    tally.figures.push(`${routes.length} routes`, byClass, `heap ${megabytes(heapAfterWarmUp)} after the first batch, ${megabytes(heapAtHalf)} at half way, ${megabytes(heapAtEnd)} at the end (RSS ${megabytes(rssAfterWarmUp)}, ${megabytes(rssAtEnd)})`, `${Math.round(performance.now() - started)} ms`, `seed ${seed}`);
    tally.report();
    expect(tally.shortfalls).toEqual([]);
    expect(tally.fellShort).toBe(0);
  });
});

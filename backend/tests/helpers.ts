/**
 * Test helpers for the backend: a real server on a free port (in-process),
 * a real SMTP server process whose delivered mail the test reads, a real
 * HTTP SMS gateway, a cookie-keeping client and Web eID tokens from the test PKI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { webcrypto } from 'node:crypto';
import { DEFAULT_LIMITS, type BackendConfig, type BackendLimits } from '../config.js';
import { startBackend, type BackendServer } from '../server.js';
import type { Clock } from '../clock.js';
import { createTestPki, type TestPki } from '../../devtools/test-pki/test-pki.js';
import { createTestAuthToken } from '../../shared/token-validator/test-token.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface MailMessage {
  from: string;
  to: string[];
  raw: string;
  subject: string;
  text: string;
}

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  const soft = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(soft[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeHeader(value: string): string {
  return value.replace(/=\?utf-8\?([BQ])\?([^?]*)\?=\s*/gi, (_m, enc: string, text: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
  );
}

/** Enough MIME for what nodemailer sends here: one text part, 7bit, quoted-printable or base64. */
export function parseMail(raw: string): { subject: string; text: string } {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const subject = decodeHeader(/^subject: (.*)$/im.exec(unfolded)?.[1] ?? '');
  const encoding = /^content-transfer-encoding: (.*)$/im.exec(unfolded)?.[1]?.trim().toLowerCase();
  const text = encoding === 'quoted-printable' ? decodeQuotedPrintable(body) : encoding === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : body;
  return { subject, text: text.replace(/\r\n/g, '\n') };
}

export class SmtpSink {
  readonly messages: MailMessage[] = [];
  private waiters: Array<() => void> = [];
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(): Promise<SmtpSink> {
    const child = spawn(process.execPath, [join(here, 'smtp-sink.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! });
    const holder: { sink?: SmtpSink } = {};
    const port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`smtp-sink exited with ${code}`)));
      lines.on('line', (line) => {
        const message = JSON.parse(line) as { listening?: number; from?: string; to?: string[]; raw?: string };
        if (message.listening) return resolve(message.listening);
        const parsed = parseMail(message.raw ?? '');
        holder.sink?.messages.push({ from: message.from ?? '', to: message.to ?? [], raw: message.raw ?? '', ...parsed });
        holder.sink?.waiters.splice(0).forEach((w) => w());
      });
    });
    holder.sink = new SmtpSink(child, port);
    return holder.sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Waits for the next message to this address that matches. */
  async waitFor(to: string, match: (m: MailMessage) => boolean = () => true, after = 0, timeoutMs = 10_000): Promise<MailMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(after).find((m) => m.to.includes(to) && match(m));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`No mail to ${to} within ${timeoutMs} ms (got ${this.messages.length})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** A real HTTP SMS gateway that records what it is asked to send. */
export class SmsGateway {
  readonly messages: Array<{ to: string; text: string }> = [];
  private constructor(private readonly server: Server) {}

  static async start(): Promise<SmsGateway> {
    const holder: { gateway?: SmsGateway } = {};
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        holder.gateway?.messages.push(JSON.parse(body) as { to: string; text: string });
        res.writeHead(202, { 'Content-Type': 'application/json' }).end('{"queued":true}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    holder.gateway = new SmsGateway(server);
    return holder.gateway;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/sms`;
  }

  lastTo(to: string): { to: string; text: string } | undefined {
    return [...this.messages].reverse().find((m) => m.to === to);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

/** A client that keeps the session cookie, as a browser would. */
export class Client {
  cookies = new Map<string, string>();
  csrfToken: string | undefined;
  bearer: string | undefined;
  constructor(readonly baseUrl: string) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown>; headers: Headers; text: string }> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) h['Content-Type'] = 'application/json';
    if (this.cookies.size) h.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.csrfToken && method !== 'GET') h['X-CSRF-Token'] = this.csrfToken;
    if (this.bearer) h.Authorization = `Bearer ${this.bearer}`;
    const response = await fetch(this.baseUrl + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
    for (const c of response.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // HTML pages
    }
    if (typeof json.csrfToken === 'string') this.csrfToken = json.csrfToken;
    return { status: response.status, json, headers: response.headers, text };
  }

  post(path: string, body: unknown = {}, headers?: Record<string, string>) {
    return this.request('POST', path, body, headers);
  }
  get(path: string, headers?: Record<string, string>) {
    return this.request('GET', path, undefined, headers);
  }
  put(path: string, body: unknown) {
    return this.request('PUT', path, body);
  }
  delete(path: string) {
    return this.request('DELETE', path);
  }
}

/**
 * A JSON POST from a chosen local address: every address of 127.0.0.0/8 is
 * loopback on Linux, so one test can be many clients to the per-address limits.
 */
export function postFrom(localAddress: string, url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', localAddress, agent: false, headers: { 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text || '{}') as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

export function errorCode(r: { json: Record<string, unknown> }): string | undefined {
  return (r.json.error as { code?: string } | undefined)?.code;
}

export interface TestBackend {
  server: BackendServer;
  pki: TestPki;
  dataDir: string;
  smtp?: SmtpSink;
  sms?: SmsGateway;
  client(): Client;
  /** Logs the client in with the test card. */
  eidLogin(client: Client, pki?: TestPki): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export interface TestBackendOptions {
  clock?: Clock;
  smtp?: boolean;
  sms?: boolean;
  limits?: Partial<BackendLimits>;
  config?: Partial<BackendConfig>;
  pki?: TestPki;
}

/** The staff token of test backends, as the header staff send. */
export const STAFF = { Authorization: 'Bearer test-admin-token' };

/** The settings of a test backend: plain http on a free port, development mode (the outbox for a channel not configured), the staff token "test-admin-token", the default limits. */
export function testBackendConfig(dataDir: string, overrides: Partial<BackendConfig> = {}): BackendConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    http: true,
    extensionOrigins: [],
    mailFrom: 'eID Bridge <no-reply@eid-bridge.test>',
    ocsp: false,
    ocspTimeoutMs: 1000,
    fetchIntermediates: false,
    adminToken: 'test-admin-token',
    devMode: true,
    limits: { ...DEFAULT_LIMITS },
    ...overrides,
  };
}

/** An eID login over the API as the page does it: a challenge, the card's signed token, the login. */
export async function loginWithCard(client: Client, card: TestPki, origin: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const challenge = await client.post('/api/eid/challenge');
  const token = await createTestAuthToken({
    certificateDer: card.authentication.der,
    privateKey: card.authentication.privateKey,
    origin,
    nonce: challenge.json.challengeNonce as string,
    crypto: webcrypto as unknown as Crypto,
  });
  return client.post('/api/eid/login', { authToken: token });
}

export async function startTestBackend(options: TestBackendOptions = {}): Promise<TestBackend> {
  const dataDir = await mkdtemp(join(tmpdir(), 'eid-bridge-backend-'));
  const [pki, smtp, sms] = await Promise.all([
    options.pki ?? createTestPki({ keyType: 'ec', withSigning: false }),
    options.smtp ? SmtpSink.start() : undefined,
    options.sms ? SmsGateway.start() : undefined,
  ]);
  const config = testBackendConfig(dataDir, {
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    ...(smtp ? { smtpUrl: smtp.url } : {}),
    ...(sms ? { smsGatewayUrl: sms.url } : {}),
    ...options.config,
  });
  const server = await startBackend(config, {
    trustedCertificates: [pki.root.der, pki.citizenCa.der],
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const tb: TestBackend = {
    server,
    pki,
    dataDir,
    ...(smtp ? { smtp } : {}),
    ...(sms ? { sms } : {}),
    client: () => new Client(server.url),
    async eidLogin(client, card = pki) {
      const login = await loginWithCard(client, card, server.origin);
      if (login.status !== 200) throw new Error(`eID login failed: ${JSON.stringify(login.json)}`);
      return login.json;
    },
    async stop() {
      await server.close();
      await Promise.all([smtp?.stop(), sms?.stop()]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return tb;
}

/**
 * The backend's settings, from command-line options and environment
 * variables (options win). Everything has a default that makes the demo work.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface BackendConfig {
  /** 0 picks a free port. */
  port: number;
  host: string;
  dataDir: string;
  /** postgres://user:password@host/database: the data live there, shared by several instances; unset: SQLite in dataDir. */
  databaseUrl?: string;
  /** https (self-signed certificate in dataDir/tls) or plain http for http://localhost. */
  http: boolean;
  /** The address people and the extension see; defaults from host and port once listening. Its origin is the one tokens are signed for. */
  publicUrl?: string;
  /**
   * Optional: extension origins (chrome-extension://<id>, moz-extension://<uuid>) that also get
   * CORS answers, for an extension page the browser applies CORS to (one without host permission
   * for this backend). The popup needs none: see isExtensionOrigin and docs/digital-keys.md.
   */
  extensionOrigins: string[];
  /** PEM/DER file or directory of trusted CA certificates for eID tokens; else the built-in Belgian roots. */
  trustedRoots?: string;
  smtpUrl?: string;
  mailFrom: string;
  smsGatewayUrl?: string;
  /**
   * Development mode: a delivery channel that is not configured writes to the
   * local outbox, which staff (the admin token) can read. Off by default:
   * then both SMTP and the SMS gateway must be configured, or the backend
   * refuses to start (delivery/delivery.ts, deliveryConfigProblem).
   */
  devMode: boolean;
  /** Bearer token for the registration office (LRA) API; without it the LRA API is off. */
  adminToken?: string;
  /**
   * Revocation checks with OCSP, failing closed (no good answer, no login):
   * 'belgian-roots' (default) for certificates under a built-in Belgian root,
   * 'all' also under configured roots, 'off' never. true and false read as
   * 'all' and 'off'.
   */
  ocsp: OcspPolicy | boolean;
  ocspTimeoutMs: number;
  /** Ask this OCSP responder instead of the one each certificate names (trusted as configured: no host or address checks). */
  ocspUrl?: string;
  /**
   * Fetch a card's issuing CA from the address in its certificate (AIA) when
   * it is neither built in nor configured; off by default. Trust still ends
   * at a configured root.
   */
  fetchIntermediates: boolean;
  /** The only hosts an address taken from a certificate (issuing CA, OCSP responder) may name; default BELGIAN_PKI_HOSTS. */
  pkiHosts?: string[];
  /** Lock-out and rate-limit tuning (tests lower them). */
  limits: BackendLimits;
  /** The itsme key, an OpenID Connect provider; unset: no itsme login and no itsme button. */
  itsme?: ItsmeConfig;
}

/** An OpenID Connect provider that plays the itsme app (routes/itsme.ts). */
export interface ItsmeConfig {
  /** The provider's issuer URL; its discovery document is read from /.well-known/openid-configuration. */
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  /** The ID-token (or userinfo) claim that carries the national number. */
  nationalNumberClaim: string;
}

/** The claim name used when none is configured. */
export const DEFAULT_ITSME_NATIONAL_NUMBER_CLAIM = 'national_number';

export const OCSP_POLICIES = ['belgian-roots', 'all', 'off'] as const;
export type OcspPolicy = (typeof OCSP_POLICIES)[number];

/** EID_BRIDGE_OCSP: a policy name, or a yes/no flag for 'all'/'off'; unset is 'belgian-roots'. */
export function ocspPolicyFromText(text: string | undefined): OcspPolicy {
  const value = (text ?? '').trim().toLowerCase();
  if (value === '') return 'belgian-roots';
  if ((OCSP_POLICIES as readonly string[]).includes(value)) return value as OcspPolicy;
  if (/^(1|true|yes|on)$/.test(value)) return 'all';
  if (/^(0|false|no)$/.test(value)) return 'off';
  throw new Error(`Unknown OCSP policy "${text}" (expected ${OCSP_POLICIES.join(', ')})`);
}

/** At most `max` requests from one IP address per `perMs` milliseconds. */
export interface RequestCap {
  max: number;
  perMs: number;
}

/**
 * The routes with a request cap, each named once: a route declares its cap
 * as `config: { rateLimit: requestCap(ctx, 'eidLogin') }` (http/rate-limits.ts).
 */
export type CappedRoute =
  | 'eidChallenge'
  | 'eidLogin'
  | 'passwordLogin'
  | 'codeLogin'
  | 'activation'
  | 'keyRegistration'
  | 'staff'
  | 'exceptionRequest'
  | 'documentSigning'
  | 'documentVerification';

export interface BackendLimits {
  /** Failures per account before the first wait. */
  accountFailuresBeforeLock: number;
  /** Failed logins allowed per IP address in ipWindowMs. */
  ipFailures: number;
  ipWindowMs: number;
  /** Requests per IP address and route, failed or not (on top of the failure lock-out above). */
  requests: Record<CappedRoute, RequestCap>;
}

const MINUTE = 60_000;

/** Caps for a real service: far above what one person clicks, low enough to make scripted floods stop early. */
export const DEFAULT_REQUEST_CAPS: Record<CappedRoute, RequestCap> = {
  // A login page asks for a challenge each time the person presses the eID button.
  eidChallenge: { max: 60, perMs: MINUTE },
  eidLogin: { max: 30, perMs: MINUTE },
  passwordLogin: { max: 30, perMs: MINUTE },
  codeLogin: { max: 30, perMs: MINUTE },
  // Paper-code activation: each step sends nothing until a key is chosen, but guesses a code.
  activation: { max: 30, perMs: MINUTE },
  // Starting a key sends an e-mail or SMS: kept lower, it costs money and fills inboxes.
  keyRegistration: { max: 20, perMs: MINUTE },
  // Registration-office and access staff, behind the staff token.
  staff: { max: 300, perMs: MINUTE },
  // The public exception form mails a PDF and opens a ticket.
  exceptionRequest: { max: 10, perMs: MINUTE },
  // Signing a document: each upload renders a page (a child process), each finish checks a signature.
  documentSigning: { max: 30, perMs: MINUTE },
  // Checking a signed PDF needs no login: each request parses up to 5 MB of someone's PDF.
  documentVerification: { max: 30, perMs: MINUTE },
};

/** Every route capped at `max` a minute: for load tests and benchmarks that hammer one address on purpose. */
export function uniformRequestCaps(max: number): Record<CappedRoute, RequestCap> {
  return Object.fromEntries(Object.keys(DEFAULT_REQUEST_CAPS).map((route) => [route, { max, perMs: MINUTE }])) as Record<CappedRoute, RequestCap>;
}

export const DEFAULT_LIMITS: BackendLimits = { accountFailuresBeforeLock: 5, ipFailures: 100, ipWindowMs: 15 * MINUTE, requests: DEFAULT_REQUEST_CAPS };

/** "eidLogin=60,passwordLogin=10": request caps per minute from the environment, over the defaults. */
export function requestCapsFromText(text: string | undefined, base: Record<CappedRoute, RequestCap> = DEFAULT_REQUEST_CAPS): Record<CappedRoute, RequestCap> {
  const caps = { ...base };
  for (const part of (text ?? '').split(/[\s,]+/).filter(Boolean)) {
    const match = /^(\w+)=(\d+)$/.exec(part);
    if (!match || !(match[1]! in caps)) throw new Error(`Unknown request cap "${part}" (expected e.g. eidLogin=60; routes: ${Object.keys(caps).join(', ')})`);
    caps[match[1] as CappedRoute] = { max: Number(match[2]), perMs: MINUTE };
  }
  return caps;
}

export const ENV = {
  port: 'EID_BRIDGE_PORT',
  host: 'EID_BRIDGE_HOST',
  dataDir: 'EID_BRIDGE_DATA',
  databaseUrl: 'EID_BRIDGE_DATABASE_URL',
  publicUrl: 'EID_BRIDGE_PUBLIC_URL',
  http: 'EID_BRIDGE_HTTP',
  extensionOrigins: 'EID_BRIDGE_EXTENSION_ORIGINS',
  trustedRoots: 'EID_BRIDGE_TRUSTED_ROOTS',
  smtpUrl: 'EID_BRIDGE_SMTP_URL',
  mailFrom: 'EID_BRIDGE_MAIL_FROM',
  smsGatewayUrl: 'EID_BRIDGE_SMS_GATEWAY_URL',
  adminToken: 'EID_BRIDGE_ADMIN_TOKEN',
  devMode: 'EID_BRIDGE_DEV_MODE',
  ocsp: 'EID_BRIDGE_OCSP',
  ocspUrl: 'EID_BRIDGE_OCSP_URL',
  fetchIntermediates: 'EID_BRIDGE_FETCH_INTERMEDIATES',
  pkiHosts: 'EID_BRIDGE_PKI_HOSTS',
  requestCaps: 'EID_BRIDGE_REQUEST_CAPS',
  itsmeIssuer: 'EID_BRIDGE_ITSME_ISSUER',
  itsmeClientId: 'EID_BRIDGE_ITSME_CLIENT_ID',
  itsmeClientSecret: 'EID_BRIDGE_ITSME_CLIENT_SECRET',
  itsmeNationalNumberClaim: 'EID_BRIDGE_ITSME_NATIONAL_NUMBER_CLAIM',
} as const;

export const DEFAULT_PORT = 8443;

/**
 * The URL schemes of extension pages as Chrome (and every Chromium browser) and Firefox name them
 * in the Origin header. Each browser sets that header itself on every request that is not GET or
 * HEAD, from the popup and from the background alike; no web page can send one of these.
 */
const EXTENSION_SCHEMES = ['chrome-extension:', 'moz-extension:'];

/**
 * Whether an Origin header names an extension page rather than a web page: any extension scheme,
 * so a Firefox profile's random moz-extension://<uuid> needs no configuration, or an origin listed
 * in extensionOrigins. It tells the backend the caller is not a web page, nothing more: the popup
 * still proves who it is with its session's bearer token (docs/digital-keys.md, "The popup").
 */
export function isExtensionOrigin(config: Pick<BackendConfig, 'extensionOrigins'>, origin: string | undefined): boolean {
  if (origin === undefined) return false;
  return config.extensionOrigins.includes(origin) || EXTENSION_SCHEMES.some((scheme) => origin.startsWith(`${scheme}//`));
}

export function defaultDataDir(): string {
  return join(homedir(), '.eid-bridge', 'backend');
}

function flag(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value);
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): BackendConfig {
  const config: BackendConfig = {
    port: env[ENV.port] ? Number(env[ENV.port]) : DEFAULT_PORT,
    host: env[ENV.host] ?? '127.0.0.1',
    dataDir: env[ENV.dataDir] ?? defaultDataDir(),
    http: flag(env[ENV.http]),
    extensionOrigins: (env[ENV.extensionOrigins] ?? '')
      .split(/[\s,]+/)
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter(Boolean),
    mailFrom: env[ENV.mailFrom] ?? 'eID Bridge <no-reply@eid-bridge.localhost>',
    devMode: flag(env[ENV.devMode]),
    ocsp: ocspPolicyFromText(env[ENV.ocsp]),
    ocspTimeoutMs: 5000,
    // Off unless switched on: the current Belgian issuing CAs are built in, and the address comes from an unverified certificate.
    fetchIntermediates: flag(env[ENV.fetchIntermediates]),
    limits: { ...DEFAULT_LIMITS, requests: requestCapsFromText(env[ENV.requestCaps]) },
  };
  if (env[ENV.publicUrl]) config.publicUrl = env[ENV.publicUrl];
  if (env[ENV.databaseUrl]) config.databaseUrl = env[ENV.databaseUrl];
  if (env[ENV.trustedRoots]) config.trustedRoots = env[ENV.trustedRoots];
  if (env[ENV.smtpUrl]) config.smtpUrl = env[ENV.smtpUrl];
  if (env[ENV.smsGatewayUrl]) config.smsGatewayUrl = env[ENV.smsGatewayUrl];
  if (env[ENV.adminToken]) config.adminToken = env[ENV.adminToken];
  if (env[ENV.ocspUrl]) config.ocspUrl = env[ENV.ocspUrl];
  const pkiHosts = env[ENV.pkiHosts];
  if (pkiHosts) config.pkiHosts = pkiHosts.split(/[\s,]+/).filter(Boolean);
  const itsme = itsmeConfigFromEnv(env);
  if (itsme) config.itsme = itsme;
  return config;
}

/** The itsme provider from EID_BRIDGE_ITSME_*: all of issuer, client id and secret, or none. */
export function itsmeConfigFromEnv(env: NodeJS.ProcessEnv): ItsmeConfig | undefined {
  const issuerUrl = env[ENV.itsmeIssuer];
  const clientId = env[ENV.itsmeClientId];
  const clientSecret = env[ENV.itsmeClientSecret];
  if (!issuerUrl && !clientId && !clientSecret) return undefined;
  if (!issuerUrl || !clientId || !clientSecret) {
    throw new Error(`The itsme key needs ${ENV.itsmeIssuer}, ${ENV.itsmeClientId} and ${ENV.itsmeClientSecret} together`);
  }
  return { issuerUrl, clientId, clientSecret, nationalNumberClaim: env[ENV.itsmeNationalNumberClaim] || DEFAULT_ITSME_NATIONAL_NUMBER_CLAIM };
}

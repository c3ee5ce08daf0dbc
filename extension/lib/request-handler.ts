/**
 * What the background does for each page request: check the origin, talk to
 * the host, and (for anything that touches the card on the person's behalf)
 * open the dialog and stay with the person until they succeed or give up.
 * The host never retries a PIN; a wrong PIN comes back here, the dialog shows
 * the tries left and the person decides.
 */
import { AUTO_REFRESHED, EidBridgeError, isEidBridgeError, RECOVERABLE_IN_DIALOG, toWebEidCode, type ErrorCode } from '../../shared/errors.js';
import {
  parseRequest,
  RequestError,
  validateOrigin,
  type AuthenticationToken,
  type CertificateDescription,
  type CertificateUsage,
  type CommandMap,
  type CommandName,
  type HashFunction,
  type StatusResult,
} from '../../shared/protocol.js';
import { base64ToBytes, bytesToHex } from '../../shared/bytes.js';
import { VERSION } from '../../shared/version.js';
import type { DialogInput, DialogOpener, DialogSession } from './dialog-manager.js';
import { resolveLanguage } from './i18n.js';
import type { DialogCertificate, DialogKind, DialogProblem, DialogState, PageAction, PageErrorPayload, PageReply } from './messages.js';
import type { RequestOptions } from './native-client.js';
import { SerialQueue } from './serial-queue.js';
import { hasPageApi, isGovernmentOrigin, type Settings } from './settings.js';

export interface HostClient {
  readonly hostVersion: string | undefined;
  connect(): Promise<void>;
  request<C extends CommandName>(command: C, args: CommandMap[C]['arguments'], options?: RequestOptions): Promise<CommandMap[C]['result']>;
  cancelAll(): void;
}

export interface RequestHandlerDeps {
  host: HostClient;
  dialogs: DialogOpener;
  settings(): Promise<Settings>;
  uiLanguage(): string;
  now?: () => number;
}

export const DEFAULT_USER_INTERACTION_TIMEOUT_MS = 120_000;
const MAX_USER_INTERACTION_TIMEOUT_MS = 10 * 60_000;
/** Extra time the host gets beyond the person's time, to finish a signature already under way. */
const HOST_GRACE_MS = 15_000;

/** How often the dialog re-checks a problem the catalogue marks autoRefresh. */
const AUTO_REFRESH_MS = 2000;
/** How often the dialog looks for a newly inserted card when all is well. */
const IDLE_REFRESH_MS = 4000;

export function toPageError(e: unknown): PageErrorPayload {
  const error = isEidBridgeError(e)
    ? e
    : e instanceof RequestError
      ? e.error
      : new EidBridgeError('INTERNAL_ERROR', e instanceof Error ? e.message : String(e), {}, { cause: e });
  return { ...error.details, code: toWebEidCode(error.code), bridgeCode: error.code, message: error.message };
}

/** The origin of the page that sent a message, from the browser's sender record. */
export function senderOrigin(sender: { origin?: string; url?: string; tab?: { url?: string } }): string {
  const candidate = sender.origin && sender.origin !== 'null' ? sender.origin : (sender.url ?? sender.tab?.url);
  if (!candidate) throw new EidBridgeError('CONTEXT_INSECURE', 'The page that asked has no origin');
  try {
    return new URL(candidate).origin;
  } catch {
    throw new EidBridgeError('CONTEXT_INSECURE', 'The page that asked has no usable origin');
  }
}

function validated<C extends CommandName>(command: C, args: Record<string, unknown>): CommandMap[C]['arguments'] {
  try {
    return parseRequest({ id: 0, command, arguments: args }).arguments as CommandMap[C]['arguments'];
  } catch (e) {
    throw e instanceof RequestError ? e.error : e;
  }
}

function interactionTimeout(options: unknown): number {
  const value = typeof options === 'object' && options !== null ? (options as { userInteractionTimeout?: unknown }).userInteractionTimeout : undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return DEFAULT_USER_INTERACTION_TIMEOUT_MS;
  return Math.min(value, MAX_USER_INTERACTION_TIMEOUT_MS);
}

function pageLanguage(options: unknown): unknown {
  return typeof options === 'object' && options !== null ? (options as { lang?: unknown }).lang : undefined;
}


function base64ToHex(b64: string): string {
  return bytesToHex(base64ToBytes(b64)).toLowerCase();
}

interface CardView {
  certificates: DialogCertificate[];
  problem?: DialogProblem;
  triesLeft?: number;
}

export class RequestHandler {
  private readonly queue = new SerialQueue();

  constructor(private readonly deps: RequestHandlerDeps) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** Answers one page request; never throws (errors become a failure reply). */
  async handle(action: PageAction, args: Record<string, unknown>, origin: string): Promise<PageReply> {
    try {
      return { ok: true, result: await this.dispatch(action, args, origin) };
    } catch (e) {
      return { ok: false, error: toPageError(e) };
    }
  }

  private async dispatch(action: PageAction, args: Record<string, unknown>, origin: string): Promise<unknown> {
    const settings = await this.deps.settings();
    validateOrigin(origin, settings.allowHttpLocalhost);
    switch (action) {
      case 'status':
        return this.status();
      case 'authenticate':
        return this.authenticate(args, origin, settings);
      case 'get-signing-certificate':
        return this.getSigningCertificate(args, origin, settings);
      case 'sign':
        return this.sign(args, origin, settings);
      case 'read-identity':
        if (!hasPageApi(origin, settings)) {
          throw new EidBridgeError('ORIGIN_NOT_ALLOWED', 'Only government sites and sites you added may read identity data');
        }
        return this.readIdentity(args, origin, settings);
    }
  }

  private async status(): Promise<{ extension: string; nativeApp: string; readers: StatusResult['readers'] }> {
    const status = await this.deps.host.request('status', {});
    return { extension: VERSION, nativeApp: this.deps.host.hostVersion ?? status.version, readers: status.readers };
  }

  /** Reads the readers and certificates and turns them into what the dialog shows. */
  private async loadCard(usage: CertificateUsage): Promise<CardView> {
    let status: StatusResult;
    let certificates: CertificateDescription[];
    try {
      status = await this.deps.host.request('status', {});
      certificates = (await this.deps.host.request('list-certificates', {})).certificates;
    } catch (e) {
      if (isEidBridgeError(e) && RECOVERABLE_IN_DIALOG.has(e.code)) return { certificates: [], problem: { code: e.code } };
      throw e;
    }
    const pinPadReaders = new Set(status.readers.filter((r) => r.pinPad).map((r) => r.name));
    const usable = certificates
      .filter((c) => c.usage === usage)
      .map<DialogCertificate>((c) => ({
        certificate: c.certificate,
        commonName: c.commonName,
        subject: c.subject,
        issuer: c.issuer,
        serialNumber: c.serialNumber,
        notBefore: c.notBefore,
        notAfter: c.notAfter,
        tokenLabel: c.tokenLabel,
        reader: c.reader,
        pinPad: pinPadReaders.has(c.reader),
      }));
    const view: CardView = { certificates: usable };
    const withCard = status.readers.filter((r) => r.cardPresent);
    const triesLeft = withCard.find((r) => r.pinTriesLeft !== undefined)?.pinTriesLeft;
    if (triesLeft !== undefined) view.triesLeft = triesLeft;
    if (usable.length === 0) {
      const pcsc = status.backends.find((b) => b.name === 'pcsc');
      const code: ErrorCode =
        status.readers.length === 0
          ? pcsc && !pcsc.available && status.backends.every((b) => !b.available)
            ? 'PCSC_UNAVAILABLE'
            : 'NO_READER'
          : withCard.length === 0
            ? 'NO_CARD'
            : usage === 'signing'
              ? 'NO_SIGNING_CERTIFICATE'
              : 'CERTIFICATE_NOT_FOUND';
      view.problem = { code };
    }
    return view;
  }

  /**
   * Opens the dialog and runs `attempt` for each submit until it succeeds, the
   * person cancels, or their time runs out. One dialog at a time.
   */
  private interactive<T>(
    kind: DialogKind,
    origin: string,
    settings: Settings,
    options: unknown,
    usage: CertificateUsage,
    extra: Partial<DialogState>,
    attempt: (input: DialogInput, certificate: DialogCertificate | undefined, hostTimeoutMs: number, session: DialogSession) => Promise<T>,
    filter: (certificates: DialogCertificate[]) => DialogCertificate[] = (c) => c,
  ): Promise<T> {
    // Fail fast when the host is missing: no dialog for something the person cannot do.
    return this.deps.host.connect().then(() =>
      this.queue.run(async () => {
        const timeoutMs = interactionTimeout(options);
        const deadline = this.now() + timeoutMs;
        const load = async () => {
          const view = await this.loadCard(usage);
          const certificates = filter(view.certificates);
          const patch: Partial<DialogState> = { certificates, busy: false, problem: view.problem, triesLeft: view.triesLeft };
          if (certificates.length === 0 && !view.problem) {
            patch.problem = { code: usage === 'signing' ? 'CERTIFICATE_NOT_FOUND' : 'NO_CARD' };
          }
          return patch;
        };
        const initial = await load();
        const session = await this.deps.dialogs.open({
          kind,
          origin,
          government: isGovernmentOrigin(origin, settings),
          language: resolveLanguage(settings.language, pageLanguage(options), this.deps.uiLanguage()),
          certificates: [],
          needsPin: kind === 'authenticate' || kind === 'sign',
          blocked: false,
          busy: false,
          deadline,
          ...extra,
          ...initial,
        });
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timedOut = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new EidBridgeError('USER_TIMEOUT', 'The person did not answer in time')), timeoutMs);
        });
        const guard = <R>(p: Promise<R>) => Promise.race([p, timedOut, session.cancelled]);
        try {
          // One outstanding wait for the person's input, kept across card refreshes.
          let pendingInput: Promise<DialogInput> | undefined;
          for (;;) {
            pendingInput ??= session.next();
            const problem = session.state.problem?.code;
            // While waiting for the person, look at the readers again now and then: the dialog
            // moves on by itself once the card is inserted, and shows a card inserted later.
            const refreshMs = problem !== undefined && AUTO_REFRESHED.has(problem) ? AUTO_REFRESH_MS : IDLE_REFRESH_MS;
            const refresh = new Promise<'refresh'>((resolve) => setTimeout(() => resolve('refresh'), refreshMs));
            const outcome = await guard(Promise.race([pendingInput, refresh]));
            if (outcome === 'refresh') {
              await guard(this.refresh(session, load));
              continue;
            }
            pendingInput = undefined;
            const input = outcome;
            if (input.type === 'retry') {
              session.update({ busy: true, problem: undefined });
              session.update(await guard(load()));
              continue;
            }
            const certificates = session.state.certificates;
            const certificate = certificates.find((c) => c.certificate === input.certificate) ?? certificates[0];
            session.update({ busy: true, problem: undefined });
            try {
              const hostTimeoutMs = Math.max(deadline - this.now(), 1000) + HOST_GRACE_MS;
              const result = await guard(attempt(input, certificate, hostTimeoutMs, session));
              return result;
            } catch (e) {
              if (!isEidBridgeError(e)) throw e;
              if (e.code === 'USER_CANCELLED' || e.code === 'USER_TIMEOUT') throw e;
              if (e.code === 'PIN_INCORRECT') {
                session.update({ busy: false, problem: { code: 'PIN_INCORRECT', triesLeft: e.details.triesLeft }, triesLeft: e.details.triesLeft });
                continue;
              }
              if (e.code === 'PIN_BLOCKED') {
                session.update({ busy: false, blocked: true, problem: { code: 'PIN_BLOCKED' } });
                // Only Close is left; then the page hears that the PIN is blocked.
                await guard(session.next()).catch(() => undefined);
                throw e;
              }
              if (RECOVERABLE_IN_DIALOG.has(e.code)) {
                session.update({ ...(await guard(load())), problem: { code: e.code } });
                continue;
              }
              throw e;
            }
          }
        } catch (e) {
          if (isEidBridgeError(e) && (e.code === 'USER_CANCELLED' || e.code === 'USER_TIMEOUT')) {
            // A PIN-pad entry may still be waiting on the reader.
            this.deps.host.cancelAll();
          }
          throw e;
        } finally {
          clearTimeout(timer);
          await session.close();
        }
      }),
    );
  }

  /** Updates the dialog with the readers' current state, keeping a PIN message the person still needs to read. */
  private async refresh(session: DialogSession, load: () => Promise<Partial<DialogState>>): Promise<void> {
    let fresh: Partial<DialogState>;
    try {
      fresh = await load();
    } catch {
      return; // the next real attempt reports it
    }
    const current = session.state;
    const patch: Partial<DialogState> = { ...fresh, triesLeft: fresh.triesLeft ?? current.triesLeft };
    if (fresh.problem === undefined && current.problem && !AUTO_REFRESHED.has(current.problem.code)) patch.problem = current.problem;
    const view = (s: Partial<DialogState>) => JSON.stringify([s.certificates?.map((c) => [c.certificate, c.pinPad]), s.problem, s.triesLeft]);
    if (view({ ...current, ...patch }) !== view(current)) session.update(patch);
  }

  private authenticate(args: Record<string, unknown>, origin: string, settings: Settings): Promise<AuthenticationToken> {
    if (args.challengeNonce === undefined) throw new EidBridgeError('MISSING_PARAMETER', '"challengeNonce" is required', { argument: 'challengeNonce' });
    const checked = validated('authenticate', {
      challengeNonce: args.challengeNonce,
      origin,
      allowHttpLocalhost: settings.allowHttpLocalhost,
    });
    return this.interactive('authenticate', origin, settings, args.options, 'authentication', {}, (input, certificate, timeoutMs) => {
      if (input.type !== 'submit') throw new EidBridgeError('INTERNAL_ERROR', 'unexpected dialog input');
      const request = { ...checked };
      if (certificate) request.certificate = certificate.certificate;
      if (input.pin !== undefined && !certificate?.pinPad) request.pin = input.pin;
      return this.deps.host.request('authenticate', validated('authenticate', { ...request }), { timeoutMs });
    });
  }

  private getSigningCertificate(args: Record<string, unknown>, origin: string, settings: Settings) {
    return this.interactive('get-signing-certificate', origin, settings, args.options, 'signing', {}, (_input, certificate, timeoutMs) =>
      this.deps.host.request('get-signing-certificate', certificate ? { certificate: certificate.certificate } : {}, { timeoutMs }),
    );
  }

  private sign(args: Record<string, unknown>, origin: string, settings: Settings) {
    const checked = validated('sign', { certificate: args.certificate, hash: args.hash, hashFunction: args.hashFunction });
    return this.interactive(
      'sign',
      origin,
      settings,
      args.options,
      'signing',
      { sign: { hashHex: base64ToHex(checked.hash), hashFunction: checked.hashFunction as HashFunction }, selectedCertificate: checked.certificate },
      (input, certificate, timeoutMs) => {
        if (input.type !== 'submit') throw new EidBridgeError('INTERNAL_ERROR', 'unexpected dialog input');
        const request = { ...checked };
        if (input.pin !== undefined && !certificate?.pinPad) request.pin = input.pin;
        return this.deps.host.request('sign', validated('sign', { ...request }), { timeoutMs });
      },
      // Only the certificate the page named may sign.
      (certificates) => certificates.filter((c) => c.certificate === checked.certificate),
    );
  }

  private readIdentity(args: Record<string, unknown>, origin: string, settings: Settings) {
    const photoRequested = args.includePhoto === true;
    return this.interactive(
      'read-identity',
      origin,
      settings,
      args.options,
      'authentication',
      { identity: { photoRequested } },
      (input, _certificate, timeoutMs) => {
        if (input.type !== 'submit') throw new EidBridgeError('INTERNAL_ERROR', 'unexpected dialog input');
        // The photo only when the page asked for it and the person left it ticked.
        const includePhoto = photoRequested && input.includePhoto === true;
        return this.deps.host.request('read-identity', { includePhoto, includeAddress: true }, { timeoutMs });
      },
      // Identity reading needs a card, not a particular certificate: any card with an authentication certificate will do.
    );
  }
}

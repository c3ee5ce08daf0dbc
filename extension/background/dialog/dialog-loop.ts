/**
 * The card dialog's loop: open the dialog, and run the action's attempt for
 * each submit until it succeeds, the person cancels, or their time runs out.
 * The host never retries a PIN; a wrong PIN comes back here, the dialog shows
 * the tries left and the person decides. What the dialog does with each other
 * error is the catalogue's `recovery` (shared/errors.ts).
 */
import { AUTO_REFRESHED, EidBridgeError, isEidBridgeError, RECOVERABLE_IN_DIALOG } from '../../../shared/errors.js';
import { isRecord, type CertificateUsage } from '../../../shared/protocol.js';
import { resolveLanguage } from '../../lib/language.js';
import type { DialogCertificate, DialogKind, DialogState } from '../../lib/messages.js';
import { isGovernmentOrigin, type Settings } from '../../lib/settings.js';
import type { HostClient } from '../native-client.js';
import { timingTrace } from '../timing-trace.js';
import { loadCardView } from './card-view.js';
import type { DialogInput, DialogOpener, DialogSession } from './dialog-windows.js';

export const DEFAULT_USER_INTERACTION_TIMEOUT_MS = 120_000;
const MAX_USER_INTERACTION_TIMEOUT_MS = 10 * 60_000;
/** Extra time the host gets beyond the person's time, to finish a signature already under way. */
const HOST_GRACE_MS = 15_000;
/** How often the dialog re-checks a problem the catalogue marks autoRefresh. */
const AUTO_REFRESH_MS = 2000;
/** How often the dialog looks for a newly inserted card when all is well. */
const IDLE_REFRESH_MS = 4000;

export interface DialogLoopDeps {
  host: HostClient;
  dialogs: DialogOpener;
  uiLanguage(): string;
  now(): number;
}

/** One page action's use of the dialog. */
export interface DialogRequest<T> {
  kind: DialogKind;
  origin: string;
  settings: Settings;
  /** The page's Web eID options (userInteractionTimeout, lang). */
  options: unknown;
  /** Which certificates the dialog offers. */
  usage: CertificateUsage;
  /** What this action adds to the dialog (the hash to sign, the identity fields). */
  extra?: Partial<DialogState>;
  /** Talks to the host for one submit; `hostTimeoutMs` is the person's time left plus a grace. */
  attempt(input: DialogInput, certificate: DialogCertificate | undefined, hostTimeoutMs: number, session: DialogSession): Promise<T>;
  /** Narrows the certificates offered (signing: only the one the page named). */
  filter?(certificates: DialogCertificate[]): DialogCertificate[];
  /** Aborted when the page that asked is gone (navigated or closed): the dialog closes, the host is told to stop. */
  signal?: AbortSignal;
}

/** The certificate the person chose, if it is still in the reader; never another card's in its place. */
function chosenCertificate(certificates: DialogCertificate[], chosen: string | undefined): DialogCertificate | undefined {
  if (chosen === undefined) return certificates[0];
  const certificate = certificates.find((c) => c.certificate === chosen);
  // The card was swapped since the person chose: a PIN typed for one card must not spend a try on another.
  if (!certificate) throw new EidBridgeError('CERTIFICATE_NOT_FOUND', 'The certificate the person chose is no longer in a reader');
  return certificate;
}

function interactionTimeout(options: unknown): number {
  const value = isRecord(options) ? options.userInteractionTimeout : undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return DEFAULT_USER_INTERACTION_TIMEOUT_MS;
  return Math.min(value, MAX_USER_INTERACTION_TIMEOUT_MS);
}

function pageLanguage(options: unknown): unknown {
  return isRecord(options) ? options.lang : undefined;
}

/** Runs one dialog to its end; the caller makes sure only one runs at a time. */
export async function runDialog<T>(deps: DialogLoopDeps, request: DialogRequest<T>): Promise<T> {
  const { kind, origin, settings, options, usage } = request;
  const filter = request.filter ?? ((c: DialogCertificate[]) => c);
  const timeoutMs = interactionTimeout(options);
  const deadline = deps.now() + timeoutMs;
  const load = async () => {
    const view = await loadCardView(deps.host, usage);
    const certificates = filter(view.certificates);
    const patch: Partial<DialogState> = { certificates, busy: false, problem: view.problem, triesLeft: view.triesLeft };
    if (certificates.length === 0 && !view.problem) {
      patch.problem = { code: usage === 'signing' ? 'CERTIFICATE_NOT_FOUND' : 'NO_CARD' };
    }
    return patch;
  };
  // The window opens while the host reads the readers and certificates (the first time: starts,
  // reads the card); the dialog shows itself busy until they are there.
  const opening = deps.dialogs.open({
    kind,
    origin,
    government: isGovernmentOrigin(origin, settings),
    language: resolveLanguage(settings.language, pageLanguage(options), deps.uiLanguage()),
    certificates: [],
    needsPin: kind === 'authenticate' || kind === 'sign',
    blocked: false,
    busy: true,
    deadline,
    ...request.extra,
  });
  let initial: Partial<DialogState>;
  try {
    initial = await load();
  } catch (e) {
    // No dialog for something the person cannot fix.
    void opening.then((session) => session.close(), () => undefined);
    throw e;
  }
  const session = await opening;
  session.update(initial);
  timingTrace.mark('dialog-card-view-sent');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EidBridgeError('USER_TIMEOUT', 'The person did not answer in time')), timeoutMs);
  });
  const pageGone = new Promise<never>((_, reject) => {
    const abort = () => reject(new EidBridgeError('USER_CANCELLED', 'The page that asked navigated away or was closed'));
    if (request.signal?.aborted) abort();
    else request.signal?.addEventListener('abort', abort, { once: true });
  });
  pageGone.catch(() => undefined);
  const guard = <R>(p: Promise<R>) => Promise.race([p, timedOut, session.cancelled, pageGone]);
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
        await guard(refreshView(session, load));
        continue;
      }
      pendingInput = undefined;
      const input = outcome;
      session.update({ busy: true, problem: undefined });
      if (input.type === 'retry') {
        session.update(await guard(load()));
        continue;
      }
      try {
        const certificate = chosenCertificate(session.state.certificates, input.certificate);
        const hostTimeoutMs = Math.max(deadline - deps.now(), 1000) + HOST_GRACE_MS;
        return await guard(request.attempt(input, certificate, hostTimeoutMs, session));
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
          // The person hears what went wrong at once: reading the readers again can take a while
          // (after HOST_DISCONNECTED it starts a new host first), and the dialog stays busy meanwhile.
          session.update({ problem: { code: e.code } });
          session.update({ ...(await guard(load())), problem: { code: e.code } });
          continue;
        }
        throw e;
      }
    }
  } catch (e) {
    if (isEidBridgeError(e) && (e.code === 'USER_CANCELLED' || e.code === 'USER_TIMEOUT')) {
      // A PIN-pad entry may still be waiting on the reader.
      deps.host.cancelAll();
      // Closing a dialog that could only say the card has no signing key (a Kids-ID card): the page
      // hears why, so it can explain it, rather than that the person changed their mind.
      if (e.code === 'USER_CANCELLED' && session.state.problem?.code === 'NO_SIGNING_CERTIFICATE') {
        throw new EidBridgeError('NO_SIGNING_CERTIFICATE', 'The card in the reader has no signing key (a Kids-ID card has none)', {}, { cause: e });
      }
    }
    throw e;
  } finally {
    clearTimeout(timer);
    // The page hears its answer first. The close is asked for a task later, once the answer has been
    // posted to the page: Chromium's browser process, busy tearing the window down, otherwise held
    // the answer's way to the page back by some 30 ms (npm run bench, "background → content script → page").
    setTimeout(() => void session.close(), 0);
  }
}

/** Updates the dialog with the readers' current state, keeping a PIN message the person still needs to read. */
async function refreshView(session: DialogSession, load: () => Promise<Partial<DialogState>>): Promise<void> {
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

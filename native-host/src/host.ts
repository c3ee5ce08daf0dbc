/**
 * The native host's message loop: reads framed requests from the browser,
 * answers each one exactly once, and keeps serving whatever arrives.
 *
 * - The first message out is { version }, written before the command
 *   handlers and the card code are loaded: a browser's first wait is for this
 *   message, and the packaged host starts in about the time plain node needs
 *   to write one frame only because nothing heavy is evaluated before it
 *   (docs/architecture.md, "The packaged executable").
 * - Card commands run one at a time (a card does one thing at a time, and a
 *   second dialog must never interleave with a PIN verification); `cancel`
 *   and `quit` are answered at once.
 * - The host exits when the browser closes the pipe, on `quit`, or after an
 *   idle period with nothing running.
 */
import { EidBridgeError } from '../../shared/errors.js';
import { RequestError, parseRequest, type HostRequest, type RequestId } from '../../shared/protocol.js';
import { VERSION } from '../../shared/version.js';
import type { CardBackend } from './backends/card-backend.js';
import type { HostConfig } from './config.js';
import type { CommandContext } from './commands/command.js';
import { FrameDecoder, encodeFrame } from './framing.js';
import type { Logger } from './logger.js';

type Handlers = (typeof import('./commands/index.js'))['handlers'];

export interface HostOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** The card backends, or their loading: requests wait for them, the version message does not. */
  backends: readonly CardBackend[] | Promise<readonly CardBackend[]>;
  /** Replaces the backends (configure-backends); the host closes the old ones. */
  reconfigure?: (config: HostConfig) => readonly CardBackend[] | Promise<readonly CardBackend[]>;
  log: Logger;
  /** Exit after this long without a request while nothing runs. 0 disables. */
  idleTimeoutMs?: number;
  /** The caller has written the version message itself (main.ts: before Node sets up stdin and stdout). */
  versionSent?: boolean;
}

/** cancel and quit are answered at once: they never wait behind a card operation or for the backends. */
function answeredAtOnce(request: HostRequest): boolean {
  return request.command === 'cancel' || request.command === 'quit';
}

interface RunningRequest {
  id: RequestId;
  controller: AbortController;
}

export async function runHost(options: HostOptions): Promise<void> {
  const { input, output, log } = options;
  let backends = Promise.resolve(options.backends);
  // Backends that cannot be made (an unknown name in the configuration) fail each request with the reason.
  backends.catch(() => undefined);
  let handlers: Promise<Handlers> | undefined;
  const loadHandlers = () => (handlers ??= import('./commands/index.js').then((m) => m.handlers));
  const idleTimeoutMs = options.idleTimeoutMs ?? 0;
  const decoder = new FrameDecoder();
  const running = new Map<RequestId, RunningRequest>();
  let queue: Promise<void> = Promise.resolve();
  let pendingCount = 0;
  let quitting = false;
  let idleTimer: NodeJS.Timeout | undefined;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const send = (message: unknown) => {
    let frame: Buffer;
    try {
      frame = encodeFrame(message);
    } catch (e) {
      // A reply too large for the browser becomes an error reply with the same id.
      const id = (message as { id?: RequestId | null }).id ?? null;
      const error = e instanceof EidBridgeError ? e : new EidBridgeError('INTERNAL_ERROR', String(e), {}, { cause: e });
      log.error('reply not sendable', { code: error.code });
      frame = encodeFrame({ id, error: error.toPayload() });
    }
    output.write(frame);
  };

  const reply = (id: RequestId | null, outcome: { result: unknown } | { error: EidBridgeError }) => {
    if ('result' in outcome) send({ id, result: outcome.result });
    else send({ id, error: outcome.error.toPayload() });
  };

  const armIdleTimer = () => {
    if (idleTimer) clearTimeout(idleTimer);
    if (idleTimeoutMs > 0 && pendingCount === 0 && !quitting) {
      idleTimer = setTimeout(() => {
        log.info('idle timeout, exiting');
        stop();
      }, idleTimeoutMs);
      idleTimer.unref?.();
    }
  };

  const stop = () => {
    if (quitting) return;
    quitting = true;
    if (idleTimer) clearTimeout(idleTimer);
    for (const r of running.values()) r.controller.abort(new EidBridgeError('USER_CANCELLED', 'The host is shutting down'));
    input.removeListener('data', onData);
    input.removeListener('end', onEnd);
    // Let queued replies drain before resolving.
    void queue.finally(() => finish());
  };

  const cancelRequest = (id: RequestId | undefined): boolean => {
    let cancelled = false;
    for (const r of running.values()) {
      if (id === undefined || r.id === id) {
        r.controller.abort(new EidBridgeError('USER_CANCELLED', 'The request was cancelled'));
        cancelled = true;
      }
    }
    return cancelled;
  };

  const execute = async (request: HostRequest, controller: AbortController) => {
    const started = performance.now();
    try {
      const ctx: CommandContext = {
        backends: answeredAtOnce(request) ? [] : await backends,
        signal: controller.signal,
        log,
        requestQuit: stop,
        cancelRequest,
        reconfigure: async (config) => {
          if (!options.reconfigure) throw new EidBridgeError('INVALID_ARGUMENT', 'This host cannot change its card backends');
          const old = await backends;
          // Requests run one at a time, so no other request uses the old backends now.
          const next = await options.reconfigure(config);
          backends = Promise.resolve(next);
          await Promise.allSettled(old.map((b) => b.close()));
          return next;
        },
      };
      if (controller.signal.aborted) throw controller.signal.reason;
      const handler = (await loadHandlers())[request.command] as (args: unknown, ctx: CommandContext) => Promise<unknown>;
      const result = await handler(request.arguments, ctx);
      reply(request.id, { result });
      const replied = performance.now();
      // Wall-clock start and reply (ms since the epoch): the bench lines them up with the extension's marks.
      const at = (t: number) => Number((performance.timeOrigin + t).toFixed(1));
      log.info('request done', { command: request.command, ms: Math.round(replied - started), startedAt: at(started), repliedAt: at(replied) });
    } catch (e) {
      const error =
        e instanceof EidBridgeError ? e : new EidBridgeError('INTERNAL_ERROR', e instanceof Error ? e.message : String(e), {}, { cause: e });
      if (!(e instanceof EidBridgeError)) log.error('unexpected failure', { command: request.command, error: String(e) });
      else log.info('request failed', { command: request.command, code: error.code });
      reply(request.id, { error });
    }
  };

  const accept = (message: unknown) => {
    let request: HostRequest;
    try {
      request = parseRequest(message);
    } catch (e) {
      if (e instanceof RequestError) {
        log.info('request refused', { code: e.error.code, argument: e.error.details.argument });
        reply(e.id, { error: e.error });
      } else reply(null, { error: new EidBridgeError('INVALID_MESSAGE', String(e), {}, { cause: e }) });
      return;
    }
    if (answeredAtOnce(request)) {
      void execute(request, new AbortController());
      return;
    }
    if (running.has(request.id)) {
      reply(request.id, { error: new EidBridgeError('INVALID_MESSAGE', `A request with id ${JSON.stringify(request.id)} is already running`) });
      return;
    }
    const entry: RunningRequest = { id: request.id, controller: new AbortController() };
    running.set(request.id, entry);
    pendingCount++;
    queue = queue
      .then(() => execute(request, entry.controller))
      .finally(() => {
        running.delete(request.id);
        pendingCount--;
        armIdleTimer();
      });
  };

  const onData = (chunk: Buffer) => {
    if (idleTimer) clearTimeout(idleTimer);
    for (const frame of decoder.push(chunk)) {
      if (quitting) break;
      if (frame.ok) accept(frame.message);
      else reply(null, { error: frame.error });
    }
    armIdleTimer();
  };

  const onEnd = () => {
    for (const frame of decoder.end()) if (!frame.ok) log.warn('input ended mid-message', { code: frame.error.code });
    log.info('browser closed the connection');
    stop();
  };

  input.on('data', onData);
  input.on('end', onEnd);
  input.on('error', (e: Error) => {
    log.error('input error', { error: e.message });
    stop();
  });

  if (!options.versionSent) send({ version: VERSION });
  // Loaded now that the version is out, while the browser reads it and sends its first request.
  void loadHandlers();
  armIdleTimer();
  await finished;
  await Promise.allSettled((await backends.catch(() => [])).map((b) => b.close()));
}

/**
 * The background's connection to eid-bridge-host over native messaging.
 *
 * States: disconnected → connecting → handshaking → ready → disconnected
 * (the host exited or was stopped) or failed (it never became ready). A request
 * in any state but ready starts a new connection, so a host that exited after
 * its idle period, or was installed after a failure, is simply started again.
 *
 * The open port also keeps an MV3 background alive while a person types a PIN.
 */
import { EidBridgeError, type ErrorPayload } from '../../shared/errors.js';
import {
  isHostReply,
  isVersionMessage,
  versionsCompatible,
  type CommandMap,
  type CommandName,
  type RequestId,
} from '../../shared/protocol.js';
import type { BrowserApi, NativePort } from '../lib/browser-api.js';
import { timingTrace } from './timing-trace.js';

export type ConnectionState = 'disconnected' | 'connecting' | 'handshaking' | 'ready' | 'failed';

export interface NativeClientOptions {
  hostName: string;
  /** The extension's version; the host's major version must match it. */
  extensionVersion: string;
  /** How long the host may take to start and send its version. */
  handshakeTimeoutMs?: number;
  /** Default time a request may take; interactive requests pass their own. */
  requestTimeoutMs?: number;
  onStateChange?: (state: ConnectionState) => void;
}

export interface RequestOptions {
  timeoutMs?: number;
}

/** What the rest of the background needs of the host (the page actions, the dialog loop, the popup's requests). */
export interface HostClient {
  readonly hostVersion: string | undefined;
  connect(): Promise<void>;
  request<C extends CommandName>(command: C, args: CommandMap[C]['arguments'], options?: RequestOptions): Promise<CommandMap[C]['result']>;
  cancelAll(): void;
}

/** What a person or administrator does when the host is missing. */
export const INSTALL_HINT =
  'Install the eID Bridge native host: run "eid-bridge install-host --browser <chrome|chromium|edge|brave|firefox>" and reload the page.';

interface Pending {
  command: CommandName;
  resolve(result: unknown): void;
  reject(error: EidBridgeError): void;
  timer: ReturnType<typeof setTimeout>;
}

export class NativeHostClient implements HostClient {
  private stateValue: ConnectionState = 'disconnected';
  private port: NativePort | undefined;
  private connecting: Promise<void> | undefined;
  private readonly pending = new Map<RequestId, Pending>();
  private nextId = 1;
  private hostVersionValue: string | undefined;
  private lastFailure: EidBridgeError | undefined;

  constructor(
    private readonly api: Pick<BrowserApi, 'connectNative'>,
    private readonly options: NativeClientOptions,
  ) {}

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** The version the host announced in the handshake. */
  get hostVersion(): string | undefined {
    return this.hostVersionValue;
  }

  /** Why the last connection attempt failed, for the options page. */
  get failure(): EidBridgeError | undefined {
    return this.lastFailure;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  private setState(state: ConnectionState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.options.onStateChange?.(state);
  }

  /** Connects and completes the version handshake (shared by concurrent callers). */
  connect(): Promise<void> {
    if (this.stateValue === 'ready') return Promise.resolve();
    this.connecting ??= this.openPort().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private openPort(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.setState('connecting');
      let port: NativePort;
      try {
        port = this.api.connectNative(this.options.hostName);
      } catch (e) {
        const error = unavailable(e instanceof Error ? e.message : String(e), e);
        this.lastFailure = error;
        this.setState('failed');
        reject(error);
        return;
      }
      this.port = port;
      this.setState('handshaking');
      let settled = false;

      const handshakeTimer = setTimeout(() => {
        fail(new EidBridgeError('NATIVE_UNAVAILABLE', 'The eID Bridge host did not answer in time', { hint: INSTALL_HINT }));
        port.disconnect();
        this.dropPort(port, 'The eID Bridge host did not answer in time', 'failed');
      }, this.options.handshakeTimeoutMs ?? 10_000);

      const fail = (error: EidBridgeError) => {
        if (settled) return;
        settled = true;
        clearTimeout(handshakeTimer);
        this.lastFailure = error;
        reject(error);
      };

      const onMessage = (message: unknown) => {
        if (!settled) {
          if (!isVersionMessage(message)) {
            fail(new EidBridgeError('VERSION_INVALID', 'The eID Bridge host did not start with its version'));
            port.disconnect();
            this.dropPort(port, 'The eID Bridge host did not start with its version', 'failed');
            return;
          }
          if (!versionsCompatible(message.version, this.options.extensionVersion)) {
            const hostMajor = Number(/^(\d+)/.exec(message.version)?.[1] ?? NaN);
            const extensionMajor = Number(/^(\d+)/.exec(this.options.extensionVersion)?.[1] ?? NaN);
            fail(
              new EidBridgeError(
                'VERSION_MISMATCH',
                `The eID Bridge host ${message.version} does not match the extension ${this.options.extensionVersion}`,
                {
                  requiresUpdate: { extension: hostMajor > extensionMajor, nativeApp: !(hostMajor > extensionMajor) },
                  hint: 'Update eID Bridge so the extension and the host have the same version.',
                },
              ),
            );
            port.disconnect();
            this.dropPort(port, 'version mismatch', 'failed');
            return;
          }
          settled = true;
          clearTimeout(handshakeTimer);
          this.hostVersionValue = message.version;
          this.lastFailure = undefined;
          this.setState('ready');
          resolve();
          return;
        }
        this.onReply(message);
      };

      const onDisconnect = () => {
        const reason = port.disconnectReason() ?? 'The eID Bridge host closed the connection';
        if (!settled) {
          fail(unavailable(reason));
          this.dropPort(port, reason, 'failed');
        } else {
          this.dropPort(port, reason);
        }
      };

      port.onMessage.addListener(onMessage);
      port.onDisconnect.addListener(onDisconnect);
    });
  }

  /** Forgets a port and rejects everything that waited on it. */
  private dropPort(port: NativePort, reason: string, state: ConnectionState = 'disconnected'): void {
    if (this.port !== port) return;
    this.port = undefined;
    this.setState(state);
    const error = new EidBridgeError('HOST_DISCONNECTED', `The eID Bridge host stopped: ${reason}`, {
      hint: 'Try again; if it keeps happening, reinstall the eID Bridge host.',
    });
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(error);
    }
  }

  private onReply(message: unknown): void {
    if (!isHostReply(message) || message.id === null) return;
    const p = this.pending.get(message.id);
    if (!p) return;
    this.pending.delete(message.id);
    clearTimeout(p.timer);
    timingTrace.mark(`host-replied:${p.command}`);
    if ('error' in message) p.reject(EidBridgeError.fromPayload(message.error as ErrorPayload));
    else p.resolve(message.result);
  }

  /** Sends one command and waits for its reply. */
  async request<C extends CommandName>(
    command: C,
    args: CommandMap[C]['arguments'],
    options: RequestOptions = {},
  ): Promise<CommandMap[C]['result']> {
    await this.connect();
    const port = this.port;
    if (!port) throw new EidBridgeError('HOST_DISCONNECTED', 'The eID Bridge host is not connected');
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? 30_000;
    return new Promise<CommandMap[C]['result']>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.pending.delete(id)) return;
        // Tell the host to stop waiting (e.g. for a PIN-pad entry); its reply to
        // the cancel, and any late reply to the request, are ignored.
        if (command !== 'cancel') this.send({ id: this.nextId++, command: 'cancel', arguments: { requestId: id } });
        reject(new EidBridgeError('TIMEOUT', `The eID Bridge host did not answer "${command}" in time`));
      }, timeoutMs);
      this.pending.set(id, { command, resolve: resolve as (r: unknown) => void, reject, timer });
      timingTrace.mark(`host-sent:${command}`);
      this.send({ id, command, arguments: args });
    });
  }

  /** Asks the host to abandon a request still in progress (a PIN-pad entry). */
  cancelAll(): void {
    for (const [id, p] of this.pending) {
      if (p.command !== 'cancel') this.send({ id: this.nextId++, command: 'cancel', arguments: { requestId: id } });
    }
  }

  private send(message: object): void {
    try {
      this.port?.postMessage(message);
    } catch (e) {
      if (this.port) this.dropPort(this.port, e instanceof Error ? e.message : String(e));
    }
  }

  /** Closes the port; pending requests fail with HOST_DISCONNECTED. */
  disconnect(): void {
    const port = this.port;
    if (!port) return;
    port.disconnect();
    this.dropPort(port, 'disconnected by the extension');
  }
}

function unavailable(reason: string, cause?: unknown): EidBridgeError {
  return new EidBridgeError('NATIVE_UNAVAILABLE', `The eID Bridge host could not be started (${reason})`, { hint: INSTALL_HINT }, { cause });
}

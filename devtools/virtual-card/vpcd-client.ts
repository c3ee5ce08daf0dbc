/**
 * Puts a virtual card into a vpcd virtual reader (vsmartcard-vpcd). vpcd is the
 * pcscd reader driver and listens on TCP (35963 for "Virtual PCD 00 00",
 * 35964 for "Virtual PCD 00 01"); the card connects to it as a client. While
 * connected the reader holds a card; closing the connection removes it.
 *
 * Wire format: 2-byte big-endian length, then the payload. A 1-byte payload is
 * a control byte (00 power off, 01 power on, 02 reset: no reply; 04 get ATR:
 * reply with the ATR); a longer payload is a command APDU, answered with the
 * response APDU.
 */
import { Socket } from 'node:net';
import { EidBridgeError } from '../../shared/errors.js';
import { holdQuickAckRoute, VPCD_LINK_HOST, type QuickAckRoute, type QuickAckState } from './loopback-quickack.js';

/** What the vpcd client needs of a card. */
export interface VpcdCard {
  readonly atr: Uint8Array;
  transmit(apdu: Uint8Array): Uint8Array;
  reset(): void;
}

/** On Linux the loopback address with the quick-ACK route (loopback-quickack.ts); elsewhere only 127.0.0.1 is sure to be local. */
export const VPCD_DEFAULT_HOST = process.platform === 'linux' ? VPCD_LINK_HOST : '127.0.0.1';
export const VPCD_DEFAULT_PORT = 35963;

const CONTROL_POWER_OFF = 0x00;
const CONTROL_POWER_ON = 0x01;
const CONTROL_RESET = 0x02;
const CONTROL_GET_ATR = 0x04;

export type VpcdEvent =
  | { type: 'connected' }
  /** Connected, but vpcd has not spoken to this card: another card (another emulator) holds the reader. */
  | { type: 'reader-busy'; waitedMs: number }
  | { type: 'disconnected'; reason: string }
  | { type: 'retrying'; inMs: number; error: string }
  | { type: 'gave-up'; error: string };

export interface VpcdOptions {
  host?: string;
  port?: number;
  /** How long to keep trying to reach vpcd (pcscd opens its port when it loads the driver); default 30 s. */
  retryForMs?: number;
  /** Called when the connection comes, goes or is retried (for a CLI to report). */
  onEvent?: (event: VpcdEvent) => void;
  /**
   * How long connecting waits for vpcd's first message (power on / ATR), which
   * is when the reader sees the card; default 3 s. vpcd serves one card at a
   * time, so while another card holds the reader that message does not come:
   * then connecting resolves anyway, after a 'reader-busy' event.
   */
  readyTimeoutMs?: number;
  /**
   * Whether to put the quick-ACK route in place while connected (only when
   * the host is VPCD_LINK_HOST); default true. Without it each APDU costs
   * about 40 ms more.
   */
  quickAck?: boolean;
}

export interface VpcdConnection {
  /** Disconnects: the reader sees the card removed. */
  remove(): Promise<void>;
  /** Connects again: the reader sees a card inserted. */
  insert(): Promise<void>;
  /** Disconnects for good. */
  close(): Promise<void>;
  /**
   * Pulls the card out when the n-th command APDU from now arrives (1: the
   * next one), before the card sees it: the reader's transmit fails as with a
   * card pulled while the reader talks to it. `connected` then turns false.
   */
  removeAtApdu(n: number): void;
  readonly connected: boolean;
  /** Whether the quick-ACK route serves this link: 'added' or 'present' is fast, 'unavailable' (not root, no `ip`) or 'off' is not. */
  readonly quickAck: QuickAckState | 'off';
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

class VpcdClient implements VpcdConnection {
  private socket: Socket | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  /** The card should be in the reader (false after remove() or close()). */
  private wanted = false;
  private closed = false;
  private reconnecting: Promise<void> | undefined;
  /** Command APDUs still to answer before removeAtApdu pulls the card. */
  private apdusBeforeRemoval: number | undefined;
  route: QuickAckRoute | undefined;

  constructor(
    private readonly card: VpcdCard,
    readonly host: string,
    private readonly port: number,
    private readonly retryForMs: number,
    private readonly onEvent: (event: VpcdEvent) => void,
    private readonly readyTimeoutMs: number,
  ) {}

  get connected(): boolean {
    return this.socket !== undefined;
  }

  get quickAck(): QuickAckState | 'off' {
    return this.route?.state ?? 'off';
  }

  async insert(): Promise<void> {
    if (this.closed) throw new EidBridgeError('INVALID_ARGUMENT', 'this vpcd connection is closed');
    this.wanted = true;
    if (this.socket) return;
    await this.connectWithRetry();
  }

  async remove(): Promise<void> {
    this.wanted = false;
    this.apdusBeforeRemoval = undefined;
    await this.disconnect();
  }

  removeAtApdu(n: number): void {
    this.apdusBeforeRemoval = n - 1;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.remove();
    await this.route?.release();
  }

  /** Tries until connected, with growing pauses, for at most retryForMs. */
  private async connectWithRetry(): Promise<void> {
    if (this.reconnecting) return this.reconnecting;
    this.reconnecting = (async () => {
      const deadline = Date.now() + this.retryForMs;
      let pause = FIRST_RETRY_MS;
      for (;;) {
        try {
          await this.connectOnce();
          if (this.socket || !this.wanted) return;
          // The link closed before vpcd spoke (pcscd stopping): lost() saw this attempt still running and left the retry to it.
          throw new Error('vpcd closed the connection');
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          if (!this.wanted) return; // removed or closed meanwhile
          if (Date.now() + pause > deadline) {
            this.onEvent({ type: 'gave-up', error: message });
            throw new EidBridgeError('NO_READER', `cannot reach the vpcd virtual reader at ${this.host}:${this.port}: ${message}`, {
              hint: 'Install vsmartcard-vpcd and start pcscd; the reader "Virtual PCD 00 00" listens on 35963, "Virtual PCD 00 01" on 35964.',
            });
          }
          this.onEvent({ type: 'retrying', inMs: pause, error: message });
          await delay(pause);
          if (!this.wanted) return;
          pause = Math.min(MAX_RETRY_MS, pause * 2);
        }
      }
    })().finally(() => {
      this.reconnecting = undefined;
    });
    return this.reconnecting;
  }

  private connectOnce(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      const fail = (e: Error) => {
        socket.destroy();
        reject(e);
      };
      socket.once('error', fail);
      socket.connect(this.port, this.host, () => {
        socket.off('error', fail);
        socket.setNoDelay(true);
        this.buffer = Buffer.alloc(0);
        this.socket = socket;
        // A card put into a reader starts from power-up.
        this.card.reset();
        socket.on('data', (chunk) => this.receive(socket, chunk));
        socket.on('error', () => {
          // 'close' follows and handles it
        });
        socket.on('close', () => this.lost(socket));
        this.onEvent({ type: 'connected' });
        if (!this.wanted) {
          void this.disconnect();
          resolve();
          return;
        }
        void this.waitForVpcd(socket).then(resolve);
      });
    });
  }

  /** Resolves at vpcd's first message on this connection, when it closes, or after readyTimeoutMs ('reader-busy'). */
  private waitForVpcd(socket: Socket): Promise<void> {
    const started = Date.now();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        socket.off('data', done);
        socket.off('close', done);
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        if (this.socket === socket) this.onEvent({ type: 'reader-busy', waitedMs: Date.now() - started });
      }, this.readyTimeoutMs);
      socket.on('data', done);
      socket.on('close', done);
    });
  }

  /** The connection ended: if nobody asked for it, vpcd went away; reconnect while it comes back. */
  private lost(socket: Socket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    if (!this.wanted) return;
    this.onEvent({ type: 'disconnected', reason: 'vpcd closed the connection' });
    this.connectWithRetry().catch(() => {
      // reported through onEvent ('gave-up'); nothing else waits for this attempt
    });
  }

  private async disconnect(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    this.socket = undefined;
    await new Promise<void>((resolve) => {
      if (socket.destroyed) return resolve();
      socket.once('close', () => resolve());
      socket.destroy();
    });
    this.onEvent({ type: 'disconnected', reason: 'card removed' });
  }

  private receive(socket: Socket, chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 2) {
      const length = this.buffer.readUInt16BE(0);
      if (this.buffer.length < 2 + length) break;
      const payload = this.buffer.subarray(2, 2 + length);
      this.buffer = this.buffer.subarray(2 + length);
      if (payload.length > 1 && this.apdusBeforeRemoval !== undefined && this.apdusBeforeRemoval-- === 0) {
        this.apdusBeforeRemoval = undefined;
        void this.remove();
        return;
      }
      const reply = this.handle(payload);
      if (reply && !socket.destroyed) socket.write(frame(reply));
    }
  }

  private handle(payload: Uint8Array): Uint8Array | undefined {
    if (payload.length === 0) return undefined;
    if (payload.length === 1) {
      switch (payload[0]) {
        case CONTROL_POWER_OFF:
        case CONTROL_POWER_ON:
        case CONTROL_RESET:
          this.card.reset();
          return undefined;
        case CONTROL_GET_ATR:
          return this.card.atr;
        default:
          return undefined;
      }
    }
    try {
      return this.card.transmit(new Uint8Array(payload));
    } catch (e) {
      // A bug in the emulator must not hang the reader: answer like a confused card.
      console.error(`virtual card: ${e instanceof Error ? e.message : String(e)}`);
      return Uint8Array.from([0x6f, 0x00]);
    }
  }
}

function frame(payload: Uint8Array): Buffer {
  const out = Buffer.alloc(2 + payload.length);
  out.writeUInt16BE(payload.length, 0);
  out.set(payload, 2);
  return out;
}

/**
 * Connects a card to vpcd, retrying while vpcd is not up yet. Resolves once
 * the card is in the reader; rejects with NO_READER when vpcd cannot be
 * reached within retryForMs.
 */
export async function connectToVpcd(card: VpcdCard, options: VpcdOptions = {}): Promise<VpcdConnection> {
  const client = new VpcdClient(
    card,
    options.host ?? VPCD_DEFAULT_HOST,
    options.port ?? VPCD_DEFAULT_PORT,
    options.retryForMs ?? 30_000,
    options.onEvent ?? (() => {}),
    options.readyTimeoutMs ?? 3000,
  );
  if ((options.quickAck ?? true) && client.host === VPCD_LINK_HOST) client.route = await holdQuickAckRoute();
  try {
    await client.insert();
  } catch (e) {
    await client.close();
    throw e;
  }
  return client;
}

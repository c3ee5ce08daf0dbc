/**
 * The PC/SC module over a scripted binding, for what the real pcscd + vpcd
 * cannot show in a test: a reader unplugged mid-exchange, the service going
 * away, and the per-reader queue. Timeouts, card removal and a missing
 * service are also tested against the real pcscd in tests/pcsc-backend.test.ts.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { PcscBackend } from '../backends/pcsc-backend.js';
import { PcscContext, type PcscBindingFactory } from './pcsc.js';
import { pcscError, scardCodeOf } from './pcsc-errors.js';

const PRESENT = 0x20;
const EMPTY = 0x10;

class FakeReader extends EventEmitter {
  SCARD_SHARE_SHARED = 2;
  SCARD_SHARE_EXCLUSIVE = 1;
  SCARD_PROTOCOL_T0 = 1;
  SCARD_PROTOCOL_T1 = 2;
  SCARD_LEAVE_CARD = 0;
  SCARD_RESET_CARD = 1;
  connected = false;
  /** Answers for transmit; a pending answer is held until `answer` is called. */
  pending: Array<(err: unknown, data: Buffer) => void> = [];
  transmits: string[] = [];
  constructor(readonly name: string) {
    super();
  }
  SCARD_CTL_CODE(code: number) {
    return 0x42000000 + code;
  }
  connect(_o: unknown, cb: (err: unknown, protocol: number) => void) {
    this.connected = true;
    setImmediate(() => cb(null, 1));
  }
  disconnect(_d: number, cb: (err: unknown) => void) {
    this.connected = false;
    setImmediate(() => cb(null));
  }
  transmit(data: Buffer, _len: number, _p: number, cb: (err: unknown, data: Buffer) => void) {
    this.transmits.push(data.toString('hex'));
    this.pending.push(cb);
  }
  control(_d: Buffer, _c: number, _l: number, cb: (err: unknown, data: Buffer) => void) {
    setImmediate(() => cb(new Error('SCardControl error: Feature not supported.(0x8010001f)'), Buffer.alloc(0)));
  }
  close() {
    setImmediate(() => this.emit('end'));
  }
  status(state: number, atr?: string) {
    this.emit('status', { state, atr: atr ? Buffer.from(atr, 'hex') : undefined });
  }
  answerAll(hex: string) {
    for (const cb of this.pending.splice(0)) cb(null, Buffer.from(hex, 'hex'));
  }
}

class FakePcsc extends EventEmitter {
  readers = new Map<string, FakeReader>();
  start(cb: (err: unknown, data: Buffer) => void) {
    this.list = cb;
    cb(undefined, this.names());
  }
  list: ((err: unknown, data: Buffer) => void) | undefined;
  names() {
    return Buffer.from([...this.readers.keys()].map((n) => n + '\0').join('') + '\0');
  }
  close() {}
}

/** Mimics the pcsclite module: creates readers for listed names, with their first status. */
function fakeBinding(names: string[], cardIn: string[] = []): { binding: PcscBindingFactory; pcsc: FakePcsc } {
  const pcsc = new FakePcsc();
  for (const name of names) pcsc.readers.set(name, new FakeReader(name));
  const binding = (() => {
    process.nextTick(() =>
      pcsc.start((err) => {
        if (err) return void pcsc.emit('error', err);
        for (const reader of pcsc.readers.values()) {
          pcsc.emit('reader', reader);
          setImmediate(() => reader.status(cardIn.includes(reader.name) ? PRESENT : EMPTY, cardIn.includes(reader.name) ? '3B00' : undefined));
        }
      }),
    );
    return pcsc;
  }) as unknown as PcscBindingFactory;
  return { binding, pcsc };
}

describe('PC/SC error mapping', () => {
  it('reads the PC/SC code from the binding message and maps it', () => {
    expect(scardCodeOf(new Error('SCardConnect error: No smart card inserted.(0x8010000c)'))).toBe(0x8010000c);
    expect(pcscError(new Error('x (0x8010000c)'), { during: 'connect' }).code).toBe('NO_CARD');
    expect(pcscError(new Error('x (0x80100069)'), { during: 'transmit' }).code).toBe('CARD_REMOVED');
    expect(pcscError(new Error('x (0x8010001d)'), { during: 'context' })).toMatchObject({ code: 'PCSC_UNAVAILABLE', details: { hint: expect.stringMatching(/pcscd/) } });
    expect(pcscError(new Error('x (0x80100009)'), { during: 'connect' }).code).toBe('READER_REMOVED');
    expect(pcscError(new Error('x (0x8010000b)'), { during: 'connect' }).code).toBe('BUSY');
    expect(pcscError(new Error('weird'), { during: 'transmit' }).code).toBe('CARD_ERROR');
    expect(pcscError(new Error('SCardEstablishContext error: Access denied.(0x8010006a)'), { during: 'context' })).toMatchObject({
      code: 'PCSC_UNAVAILABLE',
      details: { hint: expect.stringMatching(/polkit/) },
    });
  });
});

describe('PcscContext', () => {
  it('opens with no readers and says NO_READER', async () => {
    const { binding } = fakeBinding([]);
    const context = await PcscContext.open({ binding });
    expect(context.readers()).toEqual([]);
    await expect(context.connect('Any Reader')).rejects.toMatchObject({ code: 'NO_READER' });
    context.close();
  });

  it('a missing service is PCSC_UNAVAILABLE, not a crash', async () => {
    const binding = (() => {
      throw new Error('SCardEstablishContext error: Service not available.(0x8010001d)');
    }) as unknown as PcscBindingFactory;
    await expect(PcscContext.open({ binding })).rejects.toMatchObject({ code: 'PCSC_UNAVAILABLE' });
  });

  it('a reader unplugged during an exchange fails it with READER_REMOVED at once', async () => {
    const { binding, pcsc } = fakeBinding(['R1'], ['R1']);
    const context = await PcscContext.open({ binding });
    const connection = await context.connect('R1');
    const events: string[] = [];
    context.on((e) => events.push(e.type));
    const exchange = connection.transmit(Uint8Array.of(0, 0xb0, 0, 0, 0xfc), { timeoutMs: 10_000 });
    const started = Date.now();
    pcsc.readers.get('R1')!.close(); // the binding ends a reader that left the list
    await expect(exchange).rejects.toMatchObject({ code: 'READER_REMOVED' });
    expect(Date.now() - started).toBeLessThan(500);
    await connection.disconnect();
    expect(events).toEqual(['card-removed', 'reader-removed']);
    await expect(context.connect('R1')).rejects.toMatchObject({ code: 'READER_REMOVED' });
    context.close();
  });

  it('the service going away makes the context unusable, and the backend opens a new one', async () => {
    const first = fakeBinding(['R1'], ['R1']);
    const second = fakeBinding(['R1'], ['R1']);
    const bindings = [first.binding, second.binding];
    let opened = 0;
    const backend = new PcscBackend({ openContext: () => PcscContext.open({ binding: bindings[opened++]! }) });
    expect((await backend.readers())[0]).toMatchObject({ name: 'R1', cardPresent: true });
    first.pcsc.emit('error', new Error('SCardGetStatusChange error: Service was stopped.(0x8010001e)'));
    expect(await backend.status()).toEqual({ name: 'pcsc', available: true });
    expect(opened).toBe(2);
    await backend.close();
  });

  it('pcscd stopping during an exchange that it answers "Access denied" is PCSC_UNAVAILABLE, not a card error', async () => {
    const { binding, pcsc } = fakeBinding(['R1'], ['R1']);
    const context = await PcscContext.open({ binding });
    const reader = pcsc.readers.get('R1')!;
    await context.withCard('R1', async (c) => {
      const exchange = c.transmit(Uint8Array.of(0x80, 0xe4, 0, 0, 0x1c));
      reader.pending.shift()!(new Error('SCardTransmit error: Access denied.(0x8010006a)'), Buffer.alloc(0));
      // The status thread notices the service gone a moment after the exchange failed.
      setTimeout(() => pcsc.emit('error', new Error('SCardGetStatusChange error: Service was stopped.(0x8010001e)')), 30);
      await expect(exchange).rejects.toMatchObject({ code: 'PCSC_UNAVAILABLE' });
    });
    context.close();
  });

  it('a connect that reports success without a protocol as pcscd stops is PCSC_UNAVAILABLE, not a failure inside the binding', async () => {
    const { binding, pcsc } = fakeBinding(['R1'], ['R1']);
    const context = await PcscContext.open({ binding });
    const reader = pcsc.readers.get('R1')!;
    reader.connect = (_o, cb) => {
      setImmediate(() => cb(null, undefined as unknown as number));
      setTimeout(() => pcsc.emit('error', new Error('SCardGetStatusChange error: Service was stopped.(0x8010001e)')), 20);
    };
    await expect(context.connect('R1')).rejects.toMatchObject({ code: 'PCSC_UNAVAILABLE' });
    context.close();
  });

  it('a card listed without its ATR is connected once the ATR comes, and is a card error (not an unknown card) when none does', async () => {
    const { binding, pcsc } = fakeBinding(['R1']);
    const context = await PcscContext.open({ binding });
    const reader = pcsc.readers.get('R1')!;
    reader.status(PRESENT);
    setTimeout(() => reader.status(PRESENT, '3B9813400AA503010101AD1311'), 100);
    const connection = await context.connect('R1');
    expect(Buffer.from(connection.atr).toString('hex')).toBe('3b9813400aa503010101ad1311');
    await connection.disconnect();

    reader.status(EMPTY);
    reader.status(PRESENT);
    await expect(context.connect('R1')).rejects.toMatchObject({ code: 'CARD_ERROR', message: expect.stringContaining('take it out') });
    context.close();
  });

  it('pcscd stopping drops the reader first: an exchange then fails with PCSC_UNAVAILABLE, not READER_REMOVED', async () => {
    const { binding, pcsc } = fakeBinding(['R1'], ['R1']);
    const context = await PcscContext.open({ binding });
    const connection = await context.connect('R1');
    const exchange = connection.transmit(Uint8Array.of(0, 0xb0, 0, 0, 0xfc), { timeoutMs: 10_000 });
    pcsc.readers.get('R1')!.close();
    setTimeout(() => pcsc.emit('error', new Error('SCardGetStatusChange error: Service was stopped.(0x8010001e)')), 30);
    await expect(exchange).rejects.toMatchObject({ code: 'PCSC_UNAVAILABLE' });
    await connection.disconnect();
    context.close();
  });

  it('runs operations on one reader one after the other, and bounds the wait', async () => {
    const { binding, pcsc } = fakeBinding(['R1'], ['R1']);
    const reader = pcsc.readers.get('R1')!;
    const context = await PcscContext.open({ binding });
    const order: string[] = [];
    const first = context.withCard('R1', async (c) => {
      order.push('first start');
      const answer = c.transmit(Uint8Array.of(1, 2, 3, 4));
      setTimeout(() => reader.answerAll('9000'), 50);
      await answer;
      order.push('first end');
    });
    const second = context.withCard('R1', async () => {
      order.push('second');
    });
    await Promise.all([first, second]);
    expect(order).toEqual(['first start', 'first end', 'second']);

    const holder = await context.connect('R1');
    await expect(context.connect('R1', { queueTimeoutMs: 100 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    const controller = new AbortController();
    const waiting = context.connect('R1', { signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'USER_CANCELLED' });
    await holder.disconnect();
    // The abandoned waits did not keep the reader: it is free now.
    await (await context.connect('R1', { queueTimeoutMs: 100 })).disconnect();
    context.close();
  });

  it('an aborted exchange rejects at once with the abort reason', async () => {
    const { binding } = fakeBinding(['R1'], ['R1']);
    const context = await PcscContext.open({ binding });
    const controller = new AbortController();
    await context.withCard('R1', async (c) => {
      const pending = c.transmit(Uint8Array.of(1, 2, 3, 4), { signal: controller.signal });
      controller.abort();
      await expect(pending).rejects.toMatchObject({ code: 'USER_CANCELLED' });
    });
    context.close();
  });
});

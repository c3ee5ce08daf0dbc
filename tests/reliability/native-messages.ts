/**
 * Messages for the native host, generated with fast-check: valid requests of
 * every command, the same requests mutated (fields dropped, wrong types, odd
 * ids, unknown commands, prototype keys), arbitrary JSON, bytes flipped and
 * cut in the serialized JSON, invalid UTF-8, random bytes, huge strings,
 * deep nesting and frames over the size limit. Each becomes one frame; a
 * batch of frames is written cut at random points (a frame split across
 * writes, several frames in one write), and every frame must get exactly one
 * reply: a result or a typed error (an error code the protocol names, never
 * INTERNAL_ERROR), carrying the request's id when it had a usable one.
 */
import fc from 'fast-check';
import { isErrorCode } from '../../shared/errors.js';
import { COMMAND_NAMES, HASH_LENGTHS, MAX_BROWSER_MESSAGE_BYTES, isHostReply, isRecord, type CommandName, type HashFunction, type RequestId } from '../../shared/protocol.js';
import { preview, type Tally } from './check.js';

/** One frame: its bytes, and the id its reply must carry (null when the frame has no usable id). */
export interface GeneratedFrame {
  kind: string;
  bytes: Buffer;
  replyId: RequestId | null;
}

export interface FrameBatch {
  frames: GeneratedFrame[];
  /** Where the joined bytes of the batch are cut into separate writes. */
  cuts: number[];
}

const HEADER_BYTES = 4;

function header(length: number): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.writeUInt32LE(length, 0);
  return b;
}

const bytesOf = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('base64'));
const pin = fc.stringMatching(/^[0-9]{4,12}$/);
const origin = fc.oneof(fc.webUrl().map((u) => new URL(u).origin), fc.constantFrom('https://www.belgium.be', 'https://localhost:8443', 'http://localhost:3000'));
const hashFunction = fc.constantFrom(...(Object.keys(HASH_LENGTHS) as HashFunction[]));

/** Valid arguments of each command; the type makes a new command without a generator a compile error. */
function validArguments(certificates: readonly string[]): { [C in CommandName]: fc.Arbitrary<Record<string, unknown>> } {
  const certificate = fc.constantFrom(...certificates);
  return {
    status: fc.constant({}),
    'list-certificates': fc.constant({}),
    quit: fc.constant({}),
    authenticate: fc.record(
      { challengeNonce: fc.integer({ min: 32, max: 96 }).chain(bytesOf), origin, pin, certificate, allowHttpLocalhost: fc.boolean() },
      { requiredKeys: ['challengeNonce', 'origin'] },
    ),
    'get-signing-certificate': fc.record({ certificate }, { requiredKeys: [] }),
    sign: fc
      .record({ certificate, hashFunction, pin: fc.option(pin, { nil: undefined }) })
      .chain((a) => bytesOf(HASH_LENGTHS[a.hashFunction as HashFunction]).map((hash) => ({ ...a, hash }))),
    'read-identity': fc.record({ includePhoto: fc.boolean(), includeAddress: fc.boolean(), reader: fc.string({ maxLength: 40 }) }, { requiredKeys: [] }),
    'change-pin': fc.record({ currentPin: pin, newPin: pin, reader: fc.string({ maxLength: 40 }) }, { requiredKeys: ['currentPin', 'newPin'] }),
    'configure-backends': fc.record(
      {
        backends: fc.subarray(['pcsc', 'pkcs11'], { minLength: 1 }),
        // Never a module that exists: the host must not load a stranger's library during the check.
        pkcs11Module: fc.constantFrom(null, '/nonexistent/reliability/libmissing.so'),
        pkcs11ModuleConfirmed: fc.boolean(),
      },
      { requiredKeys: ['backends'] },
    ),
    cancel: fc.record({ requestId: fc.oneof(fc.string({ maxLength: 20 }), fc.integer()) }, { requiredKeys: [] }),
  };
}

const requestId = fc.oneof(fc.integer(), fc.string({ minLength: 1, maxLength: 30 }), fc.uuid());

/** A value of the wrong type for whatever field it lands in. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 50 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom('', ' ', '\u0000', '\uFFFD', '𝄞'.repeat(20), '0'.repeat(13), 'AAAA====', '-1'),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => 'x'.repeat(n)),
);

const ARGUMENT_NAMES = ['challengeNonce', 'origin', 'pin', 'certificate', 'allowHttpLocalhost', 'hash', 'hashFunction', 'includePhoto', 'includeAddress', 'reader', 'currentPin', 'newPin', 'backends', 'pkcs11Module', 'pkcs11ModuleConfirmed', 'requestId'];
const ODD_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', ''];

type Message = Record<string, unknown>;
type Mutation = (m: Message) => unknown;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // A field dropped.
  fc.nat().map((i): Mutation => (m) => {
    const args = isRecord(m.arguments) ? { ...m.arguments } : {};
    const keys = Object.keys(args);
    if (keys.length) delete args[keys[i % keys.length]!];
    return { ...m, arguments: args };
  }),
  // A field of the wrong type (an existing one, another command's, or a prototype key).
  fc.tuple(fc.constantFrom(...ARGUMENT_NAMES, ...ODD_KEYS), wrongValue).map(([key, value]): Mutation => (m) => ({ ...m, arguments: { ...(isRecord(m.arguments) ? m.arguments : {}), [key]: value } })),
  // Odd ids, or none.
  fc.oneof(wrongValue, fc.constant(undefined), fc.constantFrom(0, -0, 2 ** 53, -1e308, 1e-320)).map((id): Mutation => (m) => ({ ...m, id })),
  // Odd commands.
  fc.oneof(wrongValue, fc.constantFrom(...COMMAND_NAMES).map((c) => c.toUpperCase()), fc.constantFrom(...COMMAND_NAMES).map((c) => ` ${c}`), fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', 'toString')).map((command): Mutation => (m) => ({ ...m, command })),
  // Arguments that are not an object.
  fc.oneof(fc.integer(), fc.string({ maxLength: 20 }), fc.array(fc.integer(), { maxLength: 3 }), fc.boolean()).map((args): Mutation => (m) => ({ ...m, arguments: args })),
  // Extra top-level and prototype keys.
  fc.tuple(fc.constantFrom(...ODD_KEYS, 'result', 'error', 'version'), fc.jsonValue({ maxDepth: 2 })).map(([key, value]): Mutation => (m) => ({ ...m, [key]: value })),
);

/** Serialises so that "__proto__" stays an own key, as JSON.parse will make it. */
function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, (_k, v: unknown) => (isRecord(v) && Object.prototype.hasOwnProperty.call(v, '__proto__') ? { ...v } : v)) ?? 'null', 'utf8');
}

/** Frame bytes of a JSON body: header + body. */
function frameOf(body: Buffer): Buffer {
  return Buffer.concat([header(body.length), body]);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** What the host should see in a body: the decoded message, or undefined for bytes that are not UTF-8 JSON. */
function decodeBody(body: Buffer): { message: unknown } | undefined {
  try {
    return { message: JSON.parse(utf8.decode(body)) as unknown };
  } catch {
    return undefined;
  }
}

/** A request that would make the host quit would end the check; it is sent as status instead. */
function wouldQuit(message: unknown): boolean {
  if (!isRecord(message) || message.command !== 'quit') return false;
  const id = message.id;
  const args = message.arguments;
  return (typeof id === 'string' || typeof id === 'number') && (args === undefined || args === null || isRecord(args));
}

/** The id a reply to this body must carry: the request's own when it is a usable id (as it reads back from JSON). */
function replyIdOf(body: Buffer): RequestId | null {
  // Past the limit the host throws the body away unread.
  if (body.length > MAX_BROWSER_MESSAGE_BYTES) return null;
  const decoded = decodeBody(body);
  if (!decoded || !isRecord(decoded.message)) return null;
  const id = decoded.message.id;
  if (typeof id !== 'string' && typeof id !== 'number') return null;
  return JSON.parse(JSON.stringify(id)) as RequestId | null;
}

function bodyFrame(kind: string, body: Buffer): GeneratedFrame {
  let bytes = body;
  const decoded = decodeBody(body);
  if (decoded && wouldQuit(decoded.message)) bytes = jsonBytes({ id: (decoded.message as Message).id, command: 'status' });
  return { kind, bytes: frameOf(bytes), replyId: replyIdOf(bytes) };
}

type ByteMutation = (b: Buffer) => Buffer;
const INVALID_UTF8 = [Buffer.from([0xff]), Buffer.from([0xc0, 0x80]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xe2, 0x82]), Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]), Buffer.from([0x80])];

const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, value]): ByteMutation => (b) => {
    const c = Buffer.from(b);
    if (c.length) c[at % c.length] = value;
    return c;
  }),
  fc.nat().map((at): ByteMutation => (b) => b.subarray(0, at % (b.length + 1))),
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([at, bytes]): ByteMutation => (b) => {
    const i = at % (b.length + 1);
    return Buffer.concat([b.subarray(0, i), Buffer.from(bytes), b.subarray(i)]);
  }),
  fc.tuple(fc.nat(), fc.nat({ max: 32 })).map(([at, n]): ByteMutation => (b) => {
    const i = at % (b.length + 1);
    return Buffer.concat([b.subarray(0, i), b.subarray(i + n)]);
  }),
  // Invalid UTF-8 inside the text (inside a string when the position falls there).
  fc.tuple(fc.nat(), fc.constantFrom(...INVALID_UTF8)).map(([at, bad]): ByteMutation => (b) => {
    const i = at % (b.length + 1);
    return Buffer.concat([b.subarray(0, i), bad, b.subarray(i)]);
  }),
);

/** The message arbitraries, weighted so that every kind turns up often and the big ones rarely. */
export function frameArbitrary(certificates: readonly string[]): fc.Arbitrary<GeneratedFrame> {
  const valid = validArguments(certificates);
  const request = fc
    .constantFrom(...COMMAND_NAMES)
    .chain((command) => fc.tuple(requestId, valid[command]).map(([id, args]): Message => ({ id, command, arguments: args })));
  const mutated = fc.tuple(request, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([m, ms]) => ms.reduce<unknown>((acc, f) => f(isRecord(acc) ? acc : m), m));
  const hugeString = fc
    .tuple(request, fc.constantFrom(...ARGUMENT_NAMES, 'id', 'command'), fc.integer({ min: 60_000, max: MAX_BROWSER_MESSAGE_BYTES + 4096 }), fc.constantFrom('A', 'é', '€', '𝄞', '\\', '"'))
    .map(([m, key, length, unit]) => {
      const huge = unit.repeat(Math.ceil(length / Buffer.byteLength(unit)));
      return key === 'id' || key === 'command' ? { ...m, [key]: huge } : { ...m, arguments: { ...(m.arguments as Message), [key]: huge } };
    });
  const deep = fc.tuple(request, fc.integer({ min: 100, max: 200_000 }), fc.boolean(), fc.constantFrom('command', 'pin', 'id')).map(([m, depth, arrays, where]) => {
    const nested = arrays ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const field = (value: unknown) => JSON.stringify(value) ?? 'null';
    // The nested value stands where a field of the request would be.
    const id = where === 'id' ? nested : field(m.id);
    const command = where === 'command' ? nested : field(m.command);
    const args = where === 'pin' ? `{"pin":${nested}}` : jsonBytes(m.arguments).toString('utf8');
    return Buffer.from(`{"id":${id},"command":${command},"arguments":${args}}`, 'utf8');
  });
  return fc.oneof(
    { weight: 20, arbitrary: request.map((m) => bodyFrame('valid request', jsonBytes(m))) },
    { weight: 40, arbitrary: mutated.map((m) => bodyFrame('mutated request', jsonBytes(m))) },
    { weight: 8, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => bodyFrame('arbitrary JSON', jsonBytes(v))) },
    { weight: 20, arbitrary: fc.tuple(fc.oneof(request, mutated), fc.array(byteMutation, { minLength: 1, maxLength: 4 })).map(([m, ms]) => bodyFrame('bytes changed', ms.reduce((b, f) => f(b), jsonBytes(m)))) },
    { weight: 5, arbitrary: fc.uint8Array({ maxLength: 4096 }).map((b) => bodyFrame('random bytes', Buffer.from(b))) },
    { weight: 2, arbitrary: deep.map((b) => bodyFrame('deep nesting', b)) },
    { weight: 1, arbitrary: hugeString.map((m) => bodyFrame('huge string', jsonBytes(m))) },
    {
      weight: 1,
      // Over the limit: the header says so and the whole body follows, as a browser would send it.
      arbitrary: fc.integer({ min: 1, max: 65_536 }).map((extra) => {
        const length = MAX_BROWSER_MESSAGE_BYTES + extra;
        return { kind: 'oversize frame', bytes: Buffer.concat([header(length), Buffer.alloc(length, 0x20)]), replyId: null };
      }),
    },
  );
}

export function batchArbitrary(certificates: readonly string[], size: number): fc.Arbitrary<FrameBatch> {
  return fc.record({
    frames: fc.array(frameArbitrary(certificates), { minLength: size, maxLength: size }),
    cuts: fc.array(fc.nat(), { maxLength: 60 }),
  });
}

/** The batch's frames joined and cut into writes at the batch's cut points. */
export function writesOf(batch: FrameBatch): Buffer[] {
  const joined = Buffer.concat(batch.frames.map((f) => f.bytes));
  const points = [...new Set(batch.cuts.map((c) => c % (joined.length + 1)))].sort((a, b) => a - b);
  const writes: Buffer[] = [];
  let from = 0;
  for (const p of [...points, joined.length]) {
    if (p > from) writes.push(joined.subarray(from, p));
    from = p;
  }
  return writes;
}

/** Why a reply is not a result or a typed error, or undefined when it is one. */
export function replyProblem(reply: unknown): string | undefined {
  if (!isHostReply(reply)) return `not a reply: ${preview(reply)}`;
  if ('error' in reply && reply.error) {
    const { code, message } = reply.error as { code?: unknown; message?: unknown };
    if (!isErrorCode(code)) return `untyped error: ${preview(reply.error)}`;
    if (code === 'INTERNAL_ERROR') return `internal error (an exception nothing expected): ${preview(reply.error)}`;
    if (typeof message !== 'string') return `error without a message: ${preview(reply.error)}`;
  }
  return undefined;
}

/** Counts the batch: each frame needs one good reply carrying its id; replies nobody asked for fall short too. */
export function judgeBatch(batch: FrameBatch, replies: unknown[], tally: Tally): void {
  const byId = new Map<string, unknown[]>();
  for (const r of replies) {
    const key = JSON.stringify(isRecord(r) ? r.id ?? null : null);
    byId.set(key, [...(byId.get(key) ?? []), r]);
  }
  for (const frame of batch.frames) {
    const pool = byId.get(JSON.stringify(frame.replyId));
    const reply = pool?.shift();
    const problem = reply === undefined ? 'no reply' : replyProblem(reply);
    tally.count(problem === undefined, () => `${frame.kind} ${preview(frame.bytes.subarray(HEADER_BYTES).toString('utf8'), 160)}: ${problem}`);
  }
  const extra = [...byId.values()].flat();
  for (const r of extra) tally.count(false, () => `a reply to nothing that was sent: ${preview(r)}`);
}

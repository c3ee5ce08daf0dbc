/**
 * The ways the reliability checks damage a file, as fast-check arbitraries: a
 * mutation takes a file's bytes and returns changed ones. The byte mutations
 * fit any file; the DER ones keep an ASN.1 file's structure readable while
 * changing what it says, so a parser gets past its first length check.
 */
import * as asn1js from 'asn1js';
import fc from 'fast-check';

export type Mutation = (b: Uint8Array) => Uint8Array;

/** `b` with `remove` bytes at `at` (taken modulo the length) replaced by `insert`. */
export const splice = (b: Uint8Array, at: number, remove: number, insert: Uint8Array = new Uint8Array()): Uint8Array => {
  const i = at % (b.length + 1);
  const out = new Uint8Array(b.length - Math.min(remove, b.length - i) + insert.length);
  out.set(b.subarray(0, i));
  out.set(insert, i);
  out.set(b.subarray(i + remove), i + insert.length);
  return out;
};

/** Bits flipped, bytes set, inserted, removed, the file cut short, padded, or a stretch of it repeated. */
export const BYTE_MUTATIONS: ReadonlyArray<fc.Arbitrary<Mutation>> = [
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(([at, bit]): Mutation => (b) => {
    const c = b.slice();
    if (c.length) c[at % c.length]! ^= 1 << bit;
    return c;
  }),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, v]): Mutation => (b) => {
    const c = b.slice();
    if (c.length) c[at % c.length] = v;
    return c;
  }),
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([at, bytes]): Mutation => (b) => splice(b, at, 0, bytes)),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 64 })).map(([at, n]): Mutation => (b) => splice(b, at, n)),
  fc.nat().map((at): Mutation => (b) => b.slice(0, at % (b.length + 1))),
  fc.integer({ min: 1, max: 300 }).map((n): Mutation => (b) => splice(b, b.length, 0, new Uint8Array(n))),
  fc.uint8Array({ minLength: 1, maxLength: 40 }).map((tail): Mutation => (b) => splice(b, b.length, 0, tail)),
  fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 32 })).map(([from, to, n]): Mutation => (b) => splice(b, to, 0, b.slice(from % (b.length + 1), (from % (b.length + 1)) + n))),
];

/** Every node of a parsed DER tree with the constructed node holding it (none for the top). */
function nodesOf(node: asn1js.AsnType, parent?: asn1js.BaseBlock): Array<{ node: asn1js.BaseBlock; parent?: asn1js.BaseBlock }> {
  const base = node as asn1js.BaseBlock;
  const out: Array<{ node: asn1js.BaseBlock; parent?: asn1js.BaseBlock }> = [{ node: base, parent }];
  // Only constructed nodes hold nodes: an OBJECT IDENTIFIER's value is an array too, of its arcs.
  const children = base.idBlock.isConstructed ? (base.valueBlock as { value?: unknown }).value : undefined;
  if (Array.isArray(children)) for (const child of children) out.push(...nodesOf(child as asn1js.AsnType, base));
  return out;
}

/**
 * Re-encodes a DER file after `change` altered one of its nodes (picked by
 * `which`); the file unchanged when it does not parse or has no such node.
 * PKCS#15 directory files hold several structures one after another: each is
 * parsed, and any bytes after the last one are kept.
 */
function changeDerNode(b: Uint8Array, which: number, change: (node: asn1js.BaseBlock, siblings: asn1js.AsnType[]) => boolean): Uint8Array {
  const tops: asn1js.AsnType[] = [];
  let offset = 0;
  while (offset < b.length) {
    const parsed = asn1js.fromBER(b.subarray(offset));
    if (parsed.offset === -1 || parsed.offset === 0) break;
    tops.push(parsed.result);
    offset += parsed.offset;
  }
  if (!tops.length) return b;
  const nodes = tops.flatMap((top) => nodesOf(top));
  const { node, parent } = nodes[which % nodes.length]!;
  const siblings = parent ? (parent.valueBlock as unknown as { value: asn1js.AsnType[] }).value : tops;
  if (!change(node, siblings)) return b;
  return Uint8Array.from([...tops.flatMap((top) => [...new Uint8Array(top.toBER(false))]), ...b.subarray(offset)]);
}

/** A DER value replaced, a node's tag changed, a node dropped or repeated: the lengths stay right. */
export const DER_MUTATIONS: ReadonlyArray<fc.Arbitrary<Mutation>> = [
  fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 24 })).map(([which, value]): Mutation => (b) =>
    changeDerNode(b, which, (node, siblings) => {
      if (node.idBlock.isConstructed) return false;
      const replacement = new asn1js.Primitive({ idBlock: { tagClass: node.idBlock.tagClass, tagNumber: node.idBlock.tagNumber }, valueHex: value });
      siblings[siblings.indexOf(node as asn1js.AsnType)] = replacement;
      return true;
    }),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 30 })).map(([which, tagNumber]): Mutation => (b) =>
    changeDerNode(b, which, (node) => {
      node.idBlock.tagNumber = tagNumber;
      return true;
    }),
  ),
  fc.nat().map((which): Mutation => (b) =>
    changeDerNode(b, which, (node, siblings) => {
      siblings.splice(siblings.indexOf(node as asn1js.AsnType), 1);
      return true;
    }),
  ),
  fc.nat().map((which): Mutation => (b) =>
    changeDerNode(b, which, (node, siblings) => {
      siblings.splice(siblings.indexOf(node as asn1js.AsnType), 0, node as asn1js.AsnType);
      return true;
    }),
  ),
];

/** The document description a page sends with `sign` (options.document): what the extension accepts before its dialog shows it. */
import { describe, expect, it } from 'vitest';
import { renderFirstPage } from '../backend/signing/document-preview.js';
import { contractPdf } from '../backend/tests/signing-helpers.js';
import { parseSignDocumentPreview, SIGN_DOCUMENT_PREVIEW_LIMITS } from './protocol.js';
import { pngOutline } from './png.js';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

async function firstPagePng(): Promise<Uint8Array> {
  const png = await renderFirstPage(await contractPdf(), 300);
  if (!(png instanceof Uint8Array)) throw new Error('pdftoppm rendered nothing');
  return png;
}

describe('the document description of a sign request', () => {
  it('is absent from a plain Web eID sign', () => {
    expect(parseSignDocumentPreview({ lang: 'en' })).toBeUndefined();
    expect(parseSignDocumentPreview(undefined)).toBeUndefined();
  });

  it('takes a title, a page count and a PNG of the first page; control characters in the title become spaces', async () => {
    const png = await firstPagePng();
    expect(pngOutline(png, 1000)).toEqual({ width: 212, height: 300 });
    const preview = parseSignDocumentPreview({ document: { title: ' Volmacht\u0000\nJan ', pageCount: 3, firstPage: b64(png) } });
    expect(preview).toEqual({ title: 'Volmacht Jan', pageCount: 3, firstPage: b64(png) });
  });

  it('refuses a picture that is not a whole PNG, or too large', async () => {
    const png = await firstPagePng();
    const refused = (firstPage: string) => () => parseSignDocumentPreview({ document: { title: 'Volmacht', pageCount: 1, firstPage } });
    const jpegStart = Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...png.subarray(4)]);
    expect(refused(b64(jpegStart))).toThrow(/must be a PNG picture/);
    expect(refused(b64(png.subarray(0, png.length - 4)))).toThrow(/must be a PNG picture/);
    expect(refused(b64(Buffer.concat([png, Buffer.from('<svg/>')])))).toThrow(/must be a PNG picture/);
    expect(refused('not base64!')).toThrow(/standard base64/);
    expect(refused('A'.repeat(Math.ceil(SIGN_DOCUMENT_PREVIEW_LIMITS.firstPageBytes / 3) * 4 + 4))).toThrow(/larger than/);
    // A PNG claiming a 5000-pixel side is refused before any decoder sees it.
    const huge = Buffer.from(png);
    huge.writeUInt32BE(5000, 16);
    expect(refused(b64(huge))).toThrow(/at most 1000 pixels/);
  });

  it('refuses a missing title and a page count that is not a whole number from 1', () => {
    const parse = (document: unknown) => () => parseSignDocumentPreview({ document });
    expect(parse({ title: '', pageCount: 1 })).toThrow(/"title" is required/);
    expect(parse({ title: 'x'.repeat(201), pageCount: 1 })).toThrow(/longer than 200/);
    expect(parse({ title: 'Volmacht', pageCount: 0 })).toThrow(/at least 1/);
    expect(parse({ title: 'Volmacht', pageCount: 1.5 })).toThrow(/whole number/);
    expect(parse({ title: 'Volmacht', pageCount: '3' })).toThrow(/must be a number/);
    expect(parse({ title: 'Volmacht', pageCount: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

/**
 * The document security store of PAdES B-LT (ETSI EN 319 142-1, 5.4; ISO
 * 32000-2, 12.8.4.3): a /DSS dictionary in the catalog with /Certs (the
 * signer's chain) and /OCSPs (revocation answers), each an array of streams
 * holding DER, so a verifier can check the signature later without asking
 * the network. A /CRLs array is kept when an earlier store has one; /VRI is
 * optional and not written.
 *
 * It is appended as an incremental update after the signed file, never by
 * rewriting it: the bytes a signature covers stay as they are, so every
 * signature stays valid. pdf-lib reads the file and makes the objects; only
 * the new streams, the new store and the changed catalog are written after
 * the last %%EOF, with their cross-reference section and a trailer whose
 * /Prev points to the previous one.
 */
import {
  decodePDFRawStream,
  PDFArray,
  PDFCrossRefSection,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFNumber,
  PDFRawStream,
  PDFRef,
  PDFStream,
  PDFTrailer,
  PDFTrailerDict,
  type PDFObject,
} from 'pdf-lib';

export interface DocumentSecurityStoreContents {
  /** DER certificates: the signer's and its issuers. */
  certificates: readonly Uint8Array[];
  /** DER OCSPResponse structures, as the responder sent them. */
  ocspResponses: readonly Uint8Array[];
}

/** Where the last cross-reference section starts: the number after the file's last startxref. */
function lastCrossReferenceOffset(pdf: Uint8Array): number {
  const tail = Buffer.from(pdf.subarray(Math.max(0, pdf.length - 2048))).toString('latin1');
  const matches = [...tail.matchAll(/startxref\s+(\d+)\s+%%EOF/g)];
  const last = matches.at(-1);
  if (!last) throw new Error('the PDF has no startxref at its end');
  return Number(last[1]);
}

/** The DER in each stream of one of the store's arrays (an earlier store's, to keep it). */
function streamContents(document: PDFDocument, array: PDFArray | undefined): Uint8Array[] {
  if (!array) return [];
  const contents: Uint8Array[] = [];
  for (let i = 0; i < array.size(); i++) {
    const stream = document.context.lookup(array.get(i));
    if (stream instanceof PDFRawStream) contents.push(decodePDFRawStream(stream).decode());
  }
  return contents;
}

/**
 * `signedPdf` with a document security store holding `contents` (and what an
 * earlier store held, so a second signer's update keeps the first's data).
 */
export async function addDocumentSecurityStore(signedPdf: Uint8Array, contents: DocumentSecurityStoreContents): Promise<Uint8Array> {
  // updateMetadata: false, or pdf-lib would change the Info dictionary, which this update does not write.
  const document = await PDFDocument.load(signedPdf, { updateMetadata: false });
  const { context } = document;
  const rootRef = context.trailerInfo.Root;
  if (!(rootRef instanceof PDFRef)) throw new Error('the PDF names no catalog object');
  const catalog = document.catalog;

  const earlier = catalog.lookupMaybe(PDFName.of('DSS'), PDFDict);
  const written: Array<[PDFRef, PDFObject]> = [];
  const hex = (der: Uint8Array) => Buffer.from(der).toString('hex');
  /** An earlier store's array (its streams referenced again, not copied) with a new stream for each item it lacks. */
  const storeArray = (key: string, items: readonly Uint8Array[]): PDFArray => {
    const previous = earlier?.lookupMaybe(PDFName.of(key), PDFArray);
    const array = context.obj([]);
    for (let i = 0; i < (previous?.size() ?? 0); i++) array.push(previous!.get(i));
    const seen = new Set(streamContents(document, previous).map(hex));
    for (const der of items) {
      if (seen.has(hex(der))) continue;
      seen.add(hex(der));
      const stream: PDFStream = context.flateStream(der);
      const ref = context.register(stream);
      written.push([ref, stream]);
      array.push(ref);
    }
    return array;
  };

  const dss = context.obj({});
  dss.set(PDFName.of('Certs'), storeArray('Certs', contents.certificates));
  dss.set(PDFName.of('OCSPs'), storeArray('OCSPs', contents.ocspResponses));
  const crls = storeArray('CRLs', []);
  if (crls.size() > 0) dss.set(PDFName.of('CRLs'), crls);
  const dssRef = context.register(dss);
  written.push([dssRef, dss]);
  catalog.set(PDFName.of('DSS'), dssRef);
  written.push([rootRef, catalog]);

  return incrementalUpdate(signedPdf, document, written);
}

/** The objects `written` appended to `pdf` as an incremental update (ISO 32000-1, 7.5.6), serialised by pdf-lib. */
function incrementalUpdate(pdf: Uint8Array, document: PDFDocument, written: Array<[PDFRef, PDFObject]>): Uint8Array {
  const { context } = document;
  const chunks: Uint8Array[] = [pdf];
  const latin1 = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
  const serialise = (item: { sizeInBytes(): number; copyBytesInto(buffer: Uint8Array, offset: number): number }) => {
    const buffer = new Uint8Array(item.sizeInBytes());
    item.copyBytesInto(buffer, 0);
    return buffer;
  };
  let offset = pdf.length;
  const push = (bytes: Uint8Array) => {
    chunks.push(bytes);
    offset += bytes.length;
  };
  // The previous file may end without an end-of-line after %%EOF.
  push(latin1('\n'));
  const xref = PDFCrossRefSection.createEmpty();
  for (const [ref, object] of [...written].sort(([a], [b]) => a.objectNumber - b.objectNumber)) {
    xref.addEntry(ref, offset);
    push(latin1(`${ref.objectNumber} ${ref.generationNumber} obj\n`));
    push(serialise(object));
    push(latin1('\nendobj\n'));
  }
  const xrefOffset = offset;
  push(serialise(xref));
  const trailer = context.obj({});
  trailer.set(PDFName.of('Size'), PDFNumber.of(context.largestObjectNumber + 1));
  trailer.set(PDFName.of('Root'), context.trailerInfo.Root as PDFRef);
  if (context.trailerInfo.Info) trailer.set(PDFName.of('Info'), context.trailerInfo.Info as PDFObject);
  if (context.trailerInfo.ID) trailer.set(PDFName.of('ID'), context.trailerInfo.ID as PDFObject);
  trailer.set(PDFName.of('Prev'), PDFNumber.of(lastCrossReferenceOffset(pdf)));
  push(latin1('\n'));
  push(serialise(PDFTrailerDict.of(trailer)));
  push(latin1('\n'));
  push(serialise(PDFTrailer.forLastCrossRefSectionOffset(xrefOffset)));
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * What a person is shown before signing a PDF: its title, its page count and
 * its first page as a PNG picture. The extension's signing dialog shows the
 * same data (it gets them from the page with the sign request), so the
 * limits here are the ones the extension checks (shared/protocol.ts,
 * SIGN_DOCUMENT_PREVIEW_LIMITS).
 *
 * The page is rendered by `pdftoppm` (Debian poppler-utils) in a child
 * process, the PDF on its standard input: an uploaded PDF is untrusted input,
 * so the renderer runs apart from the server, with a time limit, a memory
 * ceiling and a cap on what it may write back.
 */
import { spawn } from 'node:child_process';
import { PDFDocument } from 'pdf-lib';
import { SIGN_DOCUMENT_PREVIEW_LIMITS } from '../../shared/protocol.js';

/** How long rendering one page may take before the renderer is killed. */
const RENDER_TIMEOUT_MS = 10_000;
/** Address space and CPU time the renderer may use (Linux): a hostile PDF cannot take the server's memory. */
const RENDER_MEMORY_BYTES = 512 * 1024 * 1024;
const RENDER_CPU_SECONDS = 10;
/** Sizes tried for the longer side of the picture, largest first, until the PNG fits the cap. */
const RENDER_SIZES_PX = [480, 320, 200];

export interface DocumentPreview {
  title: string;
  pageCount: number;
  /** The first page as PNG, or undefined when it could not be rendered within the limits. */
  firstPage: Uint8Array | undefined;
}

export class DocumentUnreadableError extends Error {
  override readonly name = 'DocumentUnreadableError';
}

/** The document's own title, else its file name without ".pdf", cut to what the dialog shows. */
function titleOf(document: PDFDocument, fileName: string): string {
  const own = document.getTitle()?.trim();
  const title = own || fileName.replace(/\.pdf$/i, '').trim() || fileName;
  return title.slice(0, SIGN_DOCUMENT_PREVIEW_LIMITS.titleLength);
}

/** Runs pdftoppm on the PDF's first page: the PNG, 'too-large' for a picture over `maxBytes`, or undefined when rendering failed or timed out. */
export function renderFirstPage(pdf: Uint8Array, sizePx: number, maxBytes = SIGN_DOCUMENT_PREVIEW_LIMITS.firstPageBytes): Promise<Uint8Array | 'too-large' | undefined> {
  return new Promise((resolve) => {
    const render = ['pdftoppm', '-png', '-f', '1', '-l', '1', '-singlefile', '-scale-to', String(sizePx), '-'];
    // On Linux the renderer also gets a memory and CPU ceiling (util-linux prlimit, part of every Debian system).
    const [command, ...args] = process.platform === 'linux' ? ['prlimit', `--as=${RENDER_MEMORY_BYTES}`, `--cpu=${RENDER_CPU_SECONDS}`, '--', ...render] : render;
    const child = spawn(command!, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;
    const finish = (result: Uint8Array | 'too-large' | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
      resolve(result);
    };
    const timer = setTimeout(() => finish(undefined), RENDER_TIMEOUT_MS);
    child.on('error', () => finish(undefined));
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > maxBytes) finish('too-large');
      else chunks.push(chunk);
    });
    child.on('close', (code) => finish(code === 0 && length > 0 ? new Uint8Array(Buffer.concat(chunks)) : undefined));
    child.stdin.end(Buffer.from(pdf));
  });
}

/** Reads the PDF (refusing what pdf-lib cannot load, encrypted documents included) and renders its first page. */
export async function documentPreview(pdf: Uint8Array, fileName: string): Promise<DocumentPreview> {
  let document: PDFDocument;
  let pageCount: number;
  let title: string;
  try {
    document = await PDFDocument.load(pdf, { updateMetadata: false });
    // pdf-lib loads leniently; a document without a readable page tree fails here.
    pageCount = document.getPageCount();
    title = titleOf(document, fileName);
  } catch (e) {
    throw new DocumentUnreadableError(`the file is not a PDF this service can sign: ${(e as Error).message}`);
  }
  if (pageCount < 1) throw new DocumentUnreadableError('the PDF has no pages');
  let firstPage: Uint8Array | undefined;
  for (const size of RENDER_SIZES_PX) {
    const rendered = await renderFirstPage(pdf, size);
    if (rendered === 'too-large') continue;
    firstPage = rendered;
    break;
  }
  return { title, pageCount, firstPage };
}

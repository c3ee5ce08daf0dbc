/**
 * The photo of the virtual card (file 4035): portrait.jpg, a baseline
 * grayscale JPEG of a drawn head and shoulders, 140×200 pixels and about 3 KB
 * like the photo on a real eID. Made once and committed; every card carries
 * the same bytes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PORTRAIT_WIDTH = 140;
export const PORTRAIT_HEIGHT = 200;

/** Beside this module in the source tree; seen from a bundle in dist/, in the source tree next to it. */
const LOCATIONS = ['./portrait.jpg', '../devtools/virtual-card/portrait.jpg'];

let portrait: Uint8Array | undefined;

export function portraitJpeg(): Uint8Array {
  if (!portrait) {
    const path = LOCATIONS.map((location) => fileURLToPath(new URL(location, import.meta.url))).find((candidate) => existsSync(candidate));
    if (!path) throw new Error('The virtual card photo devtools/virtual-card/portrait.jpg is missing');
    portrait = new Uint8Array(readFileSync(path));
  }
  return portrait.slice();
}

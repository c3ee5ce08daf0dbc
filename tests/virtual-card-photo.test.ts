/**
 * The virtual card's photo (file 4035) must be a JPEG a browser shows: decoded
 * here by the real Chromium, as a site showing the card holder's photo would.
 */
import { createHash } from 'node:crypto';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { decodeBelpicTlv } from '../shared/tlv.js';
import { IDENTITY_TAG } from '../shared/identity-parse.js';
import { portraitJpeg, PORTRAIT_HEIGHT, PORTRAIT_WIDTH } from '../devtools/virtual-card/portrait.js';
import { createVirtualCard } from '../devtools/virtual-card/virtual-card.js';

/** Height and width from the baseline frame header (SOF0: FF C0, length, precision, height, width). */
function baselineFrameSize(jpeg: Uint8Array): { height: number; width: number } | undefined {
  for (let i = 2; i + 9 < jpeg.length; ) {
    if (jpeg[i] !== 0xff) return undefined;
    const marker = jpeg[i + 1]!;
    if (marker === 0xc0) return { height: (jpeg[i + 5]! << 8) | jpeg[i + 6]!, width: (jpeg[i + 7]! << 8) | jpeg[i + 8]! };
    i += 2 + ((jpeg[i + 2]! << 8) | jpeg[i + 3]!);
  }
  return undefined;
}

const CHROMIUM = '/usr/bin/chromium';

describe('virtual card photo', () => {
  it('is a baseline JPEG of 140×200 and about 3 KB, the same bytes every time', () => {
    const photo = portraitJpeg();
    expect(photo.length).toBeGreaterThan(2000);
    expect(photo.length).toBeLessThan(4000);
    expect([...photo.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    expect([...photo.subarray(-2)]).toEqual([0xff, 0xd9]);
    expect(baselineFrameSize(photo)).toEqual({ height: PORTRAIT_HEIGHT, width: PORTRAIT_WIDTH });
    expect(Buffer.from(photo).equals(Buffer.from(portraitJpeg()))).toBe(true);
  });

  it("is the card's file 4035, whose hash the identity file carries (SHA-256 on 1.7, SHA-384 on 1.8)", async () => {
    for (const [profile, hash] of [
      ['1.7', 'sha256'],
      ['1.8', 'sha384'],
    ] as const) {
      const card = await createVirtualCard({ profile });
      const photo = card.getFile('4035');
      expect(Buffer.from(photo).equals(Buffer.from(portraitJpeg()))).toBe(true);
      const photoHash = decodeBelpicTlv(card.getFile('4031')).find((entry) => entry.tag === IDENTITY_TAG.PHOTO_HASH)!.value;
      expect(Buffer.from(photoHash).equals(createHash(hash).update(photo).digest())).toBe(true);
    }
  });

  it('decodes in Chromium at 140×200 with a dark jacket below a light background', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    try {
      const page = await browser.newPage();
      const dataUrl = `data:image/jpeg;base64,${Buffer.from(portraitJpeg()).toString('base64')}`;
      const result = await page.evaluate(async (src) => {
        const image = new Image();
        image.src = src;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = image.naturalWidth;
        canvas.height = image.naturalHeight;
        const context = canvas.getContext('2d')!;
        context.drawImage(image, 0, 0);
        const gray = (x: number, y: number) => context.getImageData(x, y, 1, 1).data[0]!;
        return { width: image.naturalWidth, height: image.naturalHeight, corner: gray(5, 5), jacket: gray(70, 195) };
      }, dataUrl);
      expect(result.width).toBe(PORTRAIT_WIDTH);
      expect(result.height).toBe(PORTRAIT_HEIGHT);
      expect(result.corner).toBeGreaterThan(180);
      expect(result.jacket).toBeLessThan(110);
    } finally {
      await browser.close();
    }
  });
});

/**
 * The virtual card's photo (file 4035) must be a JPEG a browser shows: decoded
 * here by the real Chromium, as a site showing the card holder's photo would.
 */
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { encodePortraitJpeg, PORTRAIT_HEIGHT, PORTRAIT_WIDTH } from '../devtools/virtual-card/portrait-jpeg.js';

const CHROMIUM = '/usr/bin/chromium';

describe('virtual card photo', () => {
  it('is a baseline JPEG of about 3 KB, the same bytes every time', () => {
    const photo = encodePortraitJpeg();
    expect(photo.length).toBeGreaterThan(2000);
    expect(photo.length).toBeLessThan(4000);
    expect(Buffer.from(photo).equals(Buffer.from(encodePortraitJpeg()))).toBe(true);
  });

  it('decodes in Chromium at 140×200 with a dark jacket below a light background', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    try {
      const page = await browser.newPage();
      const dataUrl = `data:image/jpeg;base64,${Buffer.from(encodePortraitJpeg()).toString('base64')}`;
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

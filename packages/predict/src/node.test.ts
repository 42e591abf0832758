import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { decodeImage, readImageFile } from './node.js';

function rgbaImage(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([(i * 37) % 256, (i * 11) % 256, 255 - ((i * 5) % 256), 255], i * 4);
  return data;
}

describe('decodeImage / readImageFile', () => {
  it('decodes a PNG exactly as RGBA', async () => {
    const data = rgbaImage(5, 3);
    const png = new PNG({ width: 5, height: 3 });
    png.data = Buffer.from(data);
    const bytes = PNG.sync.write(png);
    const dir = mkdtempSync(join(tmpdir(), 'predict-'));
    writeFileSync(join(dir, 'image.bin'), bytes);
    const image = await readImageFile(join(dir, 'image.bin'));
    expect({ width: image.width, height: image.height, channels: image.channels }).toEqual({ width: 5, height: 3, channels: 4 });
    expect(Array.from(image.data)).toEqual(Array.from(data));
  });

  it('keeps the channels of the PNG: RGB 3, grey 1', () => {
    const data = rgbaImage(4, 2);
    for (const [colorType, channels] of [[2, 3], [0, 1]] as const) {
      const png = new PNG({ width: 4, height: 2, colorType, inputColorType: 6 });
      png.data = Buffer.from(data);
      const image = decodeImage(new Uint8Array(PNG.sync.write(png, { colorType, inputColorType: 6 })));
      expect(image.channels).toBe(channels);
      expect(image.data.length).toBe(8 * channels);
      if (channels === 3) expect(Array.from(image.data.subarray(0, 6))).toEqual([...data.subarray(0, 3), ...data.subarray(4, 7)]);
    }
  });

  it('decodes a JPEG as RGB, within a few grey levels of what was encoded', () => {
    const width = 16;
    const height = 8;
    const data = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x * 16, y * 32, 128, 255], (y * width + x) * 4);
    const bytes = jpeg.encode({ width, height, data }, 100).data;
    const image = decodeImage(new Uint8Array(bytes));
    expect([image.width, image.height, image.channels]).toEqual([16, 8, 3]);
    let worst = 0;
    for (let i = 0; i < width * height; i++) for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(image.data[i * 3 + c]! - data[i * 4 + c]!));
    expect(worst).toBeLessThanOrEqual(4);
  });

  it('rejects other formats and broken files, naming the file', async () => {
    expect(() => decodeImage(new TextEncoder().encode('GIF89a....'))).toThrow(/must be a PNG or JPEG image, got a file starting with bytes 47 49 46 38 39 61/);
    expect(() => decodeImage(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]), 'cat.png')).toThrow(/cat.png must be a readable PNG or JPEG image, got a file the decoder rejected/);
    await expect(readImageFile('/nonexistent/cat.png')).rejects.toThrow(/ENOENT/);
  });
});

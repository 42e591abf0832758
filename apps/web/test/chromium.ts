/**
 * Headless Chromium driven by playwright-core: the system's browser
 * (Debian's `chromium`, never a downloaded one), a fresh user-data-dir, and
 * WebGPU enabled (`--enable-unsafe-webgpu`; without a GPU Chromium runs it on
 * its SwiftShader). The network flags keep it from reaching for Google's
 * hosts on a closed network.
 */
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(executablePath = CHROMIUM_PATH): Promise<Browser> {
  try {
    accessSync(executablePath, constants.X_OK);
  } catch {
    throw new Error(`launchChromium: an executable Chromium expected at ${executablePath}, got none; install it with \`apt-get install -y chromium\``);
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'convnet-ts-web-'));
  const args = ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
  try {
    const context = await chromium.launchPersistentContext(userDataDir, { executablePath, headless: true, args, viewport: { width: 1180, height: 900 }, acceptDownloads: true });
    return {
      context,
      close: async () => {
        await context.close();
        await rm(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
}

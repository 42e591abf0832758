/**
 * Headless Chromium for the browser tests, driven by `playwright-core` with
 * the system's browser (Debian's `chromium`; never a downloaded one), a fresh
 * user-data-dir, and WebGPU enabled (`--enable-unsafe-webgpu`; on a machine
 * without a GPU, Chromium runs WebGPU on its bundled SwiftShader). The
 * network flags keep it from reaching for Google's hosts on a closed network.
 * Used by these tests and by apps/web's end-to-end test (`viewport`,
 * `acceptDownloads`).
 */
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export interface LaunchOptions {
  /** The page size (playwright's default 1280×720 otherwise). */
  viewport?: { width: number; height: number };
  /** Let pages download files (`page.waitForEvent('download')`). */
  acceptDownloads?: boolean;
}

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--enable-unsafe-webgpu',
  '--headless',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface Browser {
  context: BrowserContext;
  /** Closes the browser and deletes its user-data-dir. */
  close(): Promise<void>;
}

/** Launches Chromium (default {@link CHROMIUM_PATH}); throws a clear error when it is not installed. */
export async function launchChromium(executablePath = CHROMIUM_PATH, options: LaunchOptions = {}): Promise<Browser> {
  try {
    accessSync(executablePath, constants.X_OK);
  } catch {
    throw new Error(`launchChromium: an executable Chromium expected at ${executablePath}, got none; install it with \`apt-get install -y chromium\``);
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'convnet-ts-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS],
      ...(options.viewport ? { viewport: options.viewport } : {}),
      ...(options.acceptDownloads !== undefined ? { acceptDownloads: options.acceptDownloads } : {}),
    });
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

/**
 * The page as a user gets it, for the end-to-end tests: `vite build` into a
 * temporary folder, served cross-origin isolated (`serveStatic` of
 * @convnet-ts/browser-tests), opened in headless Chromium (its
 * `launchChromium`: the system's browser, WebGPU on) with console errors
 * collected.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH, launchChromium } from '@convnet-ts/browser-tests/chromium';
import { serveStatic } from '@convnet-ts/browser-tests/serve';
import type { Page } from 'playwright-core';
import { build } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

export interface BuiltPage {
  page: Page;
  /** The build folder (removed by close): downloads can be saved here. */
  outDir: string;
  consoleErrors: string[];
  close(): Promise<void>;
}

export async function openBuiltPage(): Promise<BuiltPage> {
  const outDir = await mkdtemp(join(tmpdir(), 'convnet-ts-web-build-'));
  const closers: (() => Promise<void>)[] = [() => rm(outDir, { recursive: true, force: true })];
  const close = async () => {
    for (const c of closers.reverse()) await c();
  };
  try {
    await build({ configFile: join(here, '..', 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true } });
    const server = await serveStatic(outDir);
    closers.push(() => server.close());
    const browser = await launchChromium(CHROMIUM_PATH, { viewport: { width: 1180, height: 900 }, acceptDownloads: true });
    closers.push(() => browser.close());
    const page = await browser.context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => (document.getElementById('environment')?.textContent ?? '') !== '');
    return { page, outDir, consoleErrors, close };
  } catch (err) {
    await close();
    throw err;
  }
}

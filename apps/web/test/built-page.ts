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

/**
 * Pauses a view's run after `batches` batches (its `#<view>-pause` button),
 * checks that no batch runs for 0.7 s, that its status says so and that
 * `#<view>-resume` is enabled, and resumes it. `count` reads how many batch
 * reports the view's log holds.
 */
export async function pauseAndResume(page: Page, view: 'train' | 'images', batches: number, count: () => Promise<number>, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  while ((await count()) < batches) {
    if (Date.now() > deadline) throw new Error(`pauseAndResume: ${batches} batches of #${view} expected within ${waitMs} ms, got ${await count()}`);
    await page.waitForTimeout(50);
  }
  await page.click(`#${view}-pause`);
  await page.waitForFunction((id) => document.getElementById(id)?.dataset.state === 'paused', `${view}-status`, { timeout: waitMs });
  const held = await count();
  await page.waitForTimeout(700);
  if ((await count()) !== held) throw new Error(`pauseAndResume: no batch expected while #${view} is paused, got ${(await count()) - held}`);
  if (!/^Paused/.test((await page.textContent(`#${view}-status`)) ?? '')) throw new Error(`pauseAndResume: #${view}-status must start with 'Paused'`);
  if (!(await page.isEnabled(`#${view}-resume`))) throw new Error(`pauseAndResume: #${view}-resume must be enabled while paused`);
  await page.click(`#${view}-resume`);
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

/**
 * Opens `url` in a browser context and waits for the page to leave its
 * result in `window.__result` (polled). Page errors and console errors are
 * collected so that a page that never reports fails with what went wrong,
 * not with a bare timeout. The page is closed afterwards.
 */
import type { BrowserContext } from 'playwright-core';

export async function pageResult(context: BrowserContext, url: string, timeoutMs: number, initScript?: string): Promise<unknown> {
  const page = await context.newPage();
  // Runs before the page's own scripts (tests use it to take WebGPU away).
  if (initScript) await page.addInitScript(initScript);
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  try {
    await page.goto(url);
    try {
      await page.waitForFunction(() => (window as { __result?: unknown }).__result !== undefined, null, {
        timeout: timeoutMs,
        polling: 100,
      });
    } catch {
      const why = problems.length ? ` (${problems.join('; ')})` : '';
      throw new Error(`pageResult: window.__result expected within ${timeoutMs} ms, got none${why}`);
    }
    return await page.evaluate(() => (window as { __result?: unknown }).__result);
  } finally {
    await page.close();
  }
}

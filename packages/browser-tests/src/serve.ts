/**
 * A throw-away HTTP server on 127.0.0.1 and an ephemeral port that serves
 * one page: `/` is an HTML shell loading `/page.js`, the given script. A
 * page served from http://127.0.0.1 is a secure context, which WebGPU needs.
 * With `crossOriginIsolated`, every response carries
 * `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`, which give the page
 * SharedArrayBuffer (and so the CPU backend's GEMM workers). `files` adds
 * more paths (`/model.mat` → bytes), served as application/octet-stream, or
 * image/png for `.png`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PageServer {
  /** `http://127.0.0.1:<port>/`. */
  url: string;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Send the COOP/COEP headers that make the page cross-origin isolated (default false). */
  crossOriginIsolated?: boolean;
  /** Extra files by path (`'/model.mat'`), for pages that fetch them. */
  files?: Readonly<Record<string, Uint8Array>>;
}

export async function servePage(script: string, title = 'convnet-ts', options: ServeOptions = {}): Promise<PageServer> {
  const isolation = options.crossOriginIsolated
    ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
    : {};
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><script type="module" src="/page.js"></script></body></html>`;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const file = path === undefined ? undefined : options.files?.[path];
    if (file) {
      const fileType = path!.endsWith('.png') ? 'image/png' : 'application/octet-stream';
      res.writeHead(200, { 'content-type': fileType, 'cache-control': 'no-store', ...isolation }).end(file);
      return;
    }
    const body = path === '/' ? html : path === '/page.js' ? script : null;
    if (body === null) {
      res.writeHead(404, { 'content-type': 'text/plain', ...isolation }).end(`not found: ${path}`);
      return;
    }
    const type = path === '/' ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8';
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', ...isolation }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

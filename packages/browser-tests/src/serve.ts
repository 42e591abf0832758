/**
 * A throw-away HTTP server on 127.0.0.1 and an ephemeral port that serves
 * one page: `/` is an HTML shell loading `/page.js`, the given script. A
 * page served from http://127.0.0.1 is a secure context, which WebGPU needs.
 * With `crossOriginIsolated`, every response carries
 * `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`, which give the page
 * SharedArrayBuffer (and so the CPU backend's GEMM workers). `files` adds
 * more paths (`/model.mat` → bytes), served as application/octet-stream,
 * image/png for `.png`, text/javascript for `.js`. `headers` go on every response (a
 * `Content-Security-Policy`, say), `html` replaces the shell, and `dirs`
 * serves folders under path prefixes (`/tensor/` → packages/tensor/dist),
 * `.js` as text/javascript.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';

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
  /** Headers sent with every response (names in lower case), after the sent headers. */
  headers?: Readonly<Record<string, string>>;
  /** The page at `/` instead of the shell that loads `/page.js`. */
  html?: string;
  /** Folders served under path prefixes (`{ '/tensor/': '/abs/packages/tensor/dist' }`); nothing outside a folder. */
  dirs?: Readonly<Record<string, string>>;
}

/** The content type of a served file, by extension. */
function typeOf(path: string): string {
  if (/\.m?js$/.test(path)) return 'text/javascript; charset=utf-8';
  if (path.endsWith('.json') || path.endsWith('.map')) return 'application/json';
  if (path.endsWith('.wasm')) return 'application/wasm';
  return 'application/octet-stream';
}

/** The file of `dirs` that `path` names, or null (no prefix matches, or `..` would leave the folder). */
function inDirs(dirs: Readonly<Record<string, string>> | undefined, path: string): string | null {
  for (const [prefix, dir] of Object.entries(dirs ?? {})) {
    if (!path.startsWith(prefix)) continue;
    const file = normalize(join(dir, decodeURIComponent(path.slice(prefix.length))));
    if (file.startsWith(normalize(dir))) return file;
  }
  return null;
}

export async function servePage(script: string, title = 'convnet-ts', options: ServeOptions = {}): Promise<PageServer> {
  const sent = options.crossOriginIsolated
    ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', ...options.headers }
    : { ...options.headers };
  const html = options.html ?? `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><script type="module" src="/page.js"></script></body></html>`;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const file = path === undefined ? undefined : options.files?.[path];
    if (file) {
      const fileType = path!.endsWith('.png') ? 'image/png' : typeOf(path!);
      res.writeHead(200, { 'content-type': fileType, 'cache-control': 'no-store', ...sent }).end(file);
      return;
    }
    const fromDir = path === undefined ? null : inDirs(options.dirs, path);
    if (fromDir !== null) {
      readFile(fromDir).then(
        (bytes) => res.writeHead(200, { 'content-type': typeOf(fromDir), 'cache-control': 'no-store', ...sent }).end(bytes),
        () => res.writeHead(404, { 'content-type': 'text/plain', ...sent }).end(`not found: ${path}`),
      );
      return;
    }
    const body = path === '/' ? html : path === '/page.js' ? script : null;
    if (body === null) {
      res.writeHead(404, { 'content-type': 'text/plain', ...sent }).end(`not found: ${path}`);
      return;
    }
    const type = path === '/' ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8';
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', ...sent }).end(body);
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

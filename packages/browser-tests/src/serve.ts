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
 *
 * `serveStatic(root)` serves a built site (apps/web's `vite build`) the way a
 * static host must: every file under `root`, `index.html` for a folder, the
 * COOP/COEP headers on every response, nothing outside `root`.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

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

/** The headers that make a page cross-origin isolated. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

const STATIC_TYPES: Readonly<Record<string, string>> = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml' };

/** The content type of a served file, by extension. */
function typeOf(path: string): string {
  const known = STATIC_TYPES[extname(path)];
  if (known) return known;
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
  const sent = options.crossOriginIsolated ? { ...ISOLATION_HEADERS, ...options.headers } : { ...options.headers };
  const html = options.html ?? `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><script type="module" src="/page.js"></script></body></html>`;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const file = path === undefined ? undefined : options.files?.[path];
    if (file) {
      res.writeHead(200, { 'content-type': typeOf(path!), 'cache-control': 'no-store', ...sent }).end(file);
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
  return listen(server);
}

async function listen(server: Server): Promise<PageServer> {
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

/** Serves the folder `root` (absolute) cross-origin isolated: `/` and any `…/` give its `index.html`. */
export function serveStatic(root: string): Promise<PageServer> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(normalize(root) + sep)) {
      res.writeHead(403, { ...ISOLATION_HEADERS }).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': typeOf(file), ...ISOLATION_HEADERS }).end(body),
      () => res.writeHead(404, { 'content-type': 'text/plain', ...ISOLATION_HEADERS }).end(`not found: ${path}`),
    );
  });
  return listen(server);
}

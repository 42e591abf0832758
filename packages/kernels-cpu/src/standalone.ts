/**
 * The entry of `dist/standalone.js`: this package as one ES module with its
 * CommonJS dependency (scijs ndarray, behind `cpu.ndarray(t)`) bundled in
 * and the WebAssembly embedded, for a plain `<script type="module">` or an
 * import map with no bundler. `@convnet-ts/tensor` stays an import, so the
 * page maps it (and blocks, geometry) to their `dist/index.js`: one copy of
 * tensor for every package. Built by `scripts/bundle.mjs` after `tsc`.
 */
export * from './index.js';

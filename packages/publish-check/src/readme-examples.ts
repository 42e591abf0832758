/**
 * The README examples the release test runs from the installed tarballs, and
 * how to read them out of a README.
 *
 * An example is a ```ts or ```js block of a package README, picked by the
 * heading it follows (the first block after the first heading that starts
 * with `heading`; the README's first block without one). It runs as an ES
 * module in a project that holds only the packages the README's
 * `npm install` lines name (and what those depend on, as npm installs
 * them), so an install line that forgets a package fails here. Files the
 * example reads are copied in under the names it uses.
 *
 * A line `// → text` on its own, right after a line that prints, is what the
 * example claims to print: the output must contain it (whitespace ignored,
 * as util.inspect breaks long values over lines).
 */
import ts from 'typescript';

export interface ReadmeExample {
  /** The package's folder under packages/. */
  dir: string;
  /** The example is the first code block after the heading starting with this; the first block when absent. */
  heading?: string;
  /** Files the example reads: its name for the file → the file's path in the repository. */
  files?: Record<string, string>;
  /** Command-line arguments (`process.argv.slice(2)`). */
  args?: string[];
  /** What else the output must match, where the README states it in prose rather than `// →`. */
  prints?: RegExp;
}

const LENET = 'fixtures/matconvnet/lenet-roundtrip/lenet.mat';

export const README_EXAMPLES: ReadmeExample[] = [
  { dir: 'geometry' },
  { dir: 'tensor', prints: /tensor shape tensor: expected 4 values for shape \[2, 2\], got 3/ },
  { dir: 'kernels-cpu', prints: /\[ 2, 8, 8, 4 \] 6\n/ },
  { dir: 'blocks' },
  { dir: 'matfile', args: ['lenet.mat'], files: { 'lenet.mat': LENET }, prints: /^layers cell 1×8$/m },
  { dir: 'simplenn', prints: /same loss after save\/load: true/ },
  {
    dir: 'simplenn',
    heading: 'MatConvNet model files',
    files: { 'fixtures/matconvnet/lenet-roundtrip/lenet-octave.mat': 'fixtures/matconvnet/lenet-roundtrip/lenet-octave.mat' },
    prints: /^class 2 1$/m, // the README's "class 2 '1'"
  },
  { dir: 'dagnn' },
  { dir: 'dagnn', heading: 'MatConvNet DagNN files', files: { 'fixtures/matconvnet/dagnn-resnet.v7.mat': 'fixtures/matconvnet/dagnn-resnet.v7.mat' } },
  {
    dir: 'predict',
    heading: 'Node',
    // The example's file names, holding the repository's LeNet and a digit: the zoo's models cannot be downloaded here.
    files: { 'imagenet-vgg-f.mat': LENET, 'peppers.png': 'apps/examples/fixtures/classify/digit-7.png' },
    prints: /^1\. 0\.\d{4} {2}7 /m,
  },
  { dir: 'onnx' },
  {
    dir: 'images',
    // One RGB PNG under the example's four names (the decoders go by the bytes, not the extension).
    files: Object.fromEntries(['a.jpg', 'b.png', 'c.jpg', 'd.jpg'].map((name) => [name, 'apps/examples/fixtures/classify/image.png'])),
  },
  { dir: 'train', prints: /^0(\.\d+)?$/m },
];

export interface ExtractedExample {
  /** JavaScript (types stripped), an ES module. */
  code: string;
  /** The `// →` claims, in order. */
  claims: string[];
}

/** The code block `example` names in `readme`, as JavaScript, with its claims. */
export function extractExample(readme: string, example: ReadmeExample): ExtractedExample {
  let from = 0;
  if (example.heading !== undefined) {
    const at = new RegExp(`^#+ \`?${example.heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm').exec(readme);
    if (!at) throw new Error(`${example.dir}/README.md: no heading starting with '${example.heading}'`);
    from = at.index;
  }
  const block = /^```(ts|js)\n([\s\S]*?)^```$/m.exec(readme.slice(from));
  if (!block) throw new Error(`${example.dir}/README.md: no \`\`\`ts or \`\`\`js block${example.heading ? ` after '${example.heading}'` : ''}`);
  const source = block[2]!;
  const claims: string[] = [];
  const lines = source.split('\n');
  lines.forEach((line, i) => {
    const claim = /^\s*\/\/ → (.+)$/.exec(line);
    if (claim && i > 0 && /console\.log|^\s*\/\/ → /.test(lines[i - 1]!)) claims.push(claim[1]!);
  });
  const code =
    block[1] === 'ts'
      ? ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false } }).outputText
      : source;
  return { code, claims };
}

/** The packages the README's `npm install` lines name. */
export function installLine(readme: string, dir: string): string[] {
  const names = [...readme.matchAll(/^npm install (.+)$/gm)].flatMap((m) => m[1]!.replace(/#.*$/, '').trim().split(/\s+/));
  if (names.length === 0) throw new Error(`packages/${dir}/README.md has no "npm install" line`);
  return names;
}

/** Does `output` contain `claim`, whitespace aside? */
export function printed(output: string, claim: string): boolean {
  return output.replace(/\s+/g, '').includes(claim.replace(/\s+/g, ''));
}

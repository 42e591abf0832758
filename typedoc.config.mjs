// API documentation of the public packages: `pnpm api-docs` writes docs/api/ (git-ignored; not published as a
// site). Each package is documented from its package.json "exports" (TypeDoc's packages strategy maps
// dist/*.js back to src/*.ts), and every warning fails the build: a broken {@link}, an unknown tag or a
// type a public signature uses but no entry exports.
import { OptionDefaults } from 'typedoc';

const REPOSITORY = 'https://github.com/convnet-ts/convnet-ts';

/** @type {Partial<import('typedoc').TypeDocOptions>} */
const perPackage = {
  tsconfig: 'tsconfig.build.json',
  readme: 'README.md',
  // `pnpm typecheck` type-checks; this only documents.
  skipErrorChecking: true,
  // protobuf-es marks generated members (@convnet-ts/onnx src/proto/onnx-pb.ts).
  blockTags: [...OptionDefaults.blockTags, '@generated'],
  disableGit: true,
  sourceLinkTemplate: `${REPOSITORY}/blob/main/{path}#L{line}`,
};

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: 'convnet-ts',
  entryPointStrategy: 'packages',
  entryPoints: ['tensor', 'kernels-cpu', 'kernels-webgpu', 'geometry', 'blocks', 'matfile', 'simplenn', 'dagnn', 'train', 'images', 'predict', 'onnx'].map((p) => `packages/${p}`),
  packageOptions: perPackage,
  // The landing page: the architecture.
  readme: 'docs/design.md',
  out: 'docs/api',
  blockTags: perPackage.blockTags,
  treatWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, invalidPath: true, rewrittenLink: true, notDocumented: false, unusedMergeModuleWith: true },

};

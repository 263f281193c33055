import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  entry: { index: 'src/index.ts', testing: 'src/testing/index.ts', webhooks: 'src/webhooks/index.ts' },
  dts: true,
  sourcemap: true,
  target: 'node20',
  platform: 'neutral',
  outDir: 'dist',
};

export default defineConfig([
  // ky and zod stay external: consumers dedupe them.
  { ...shared, format: ['esm'] },
  // ky ships ESM only; a require() of it fails on Node < 20.19 and mis-binds `default` above it,
  // so the CommonJS build carries its own copy (licence in THIRD_PARTY_NOTICES.md).
  { ...shared, format: ['cjs'], noExternal: ['ky'] },
  // The `primero-sdk` command (package.json `bin`): one ESM file for Node, made executable by its shebang.
  // Its dependencies stay external; it bundles the fake itself (src/testing/fake.ts), never msw.
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    outDir: 'dist',
    sourcemap: true,
    dts: false,
    banner: { js: '#!/usr/bin/env node' },
  },
]);

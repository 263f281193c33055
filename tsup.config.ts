import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  entry: { index: 'src/index.ts' },
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
]);

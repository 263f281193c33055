#!/usr/bin/env node
// Size budget of the main entry: what a bundler pulls into an application that imports `primero-sdk`.
// The built ESM entry (dist/index.js) is bundled with esbuild (its chunks and ky included, zod left out:
// the application has its own copy, and zod would dwarf the figure), minified, then gzipped. Every export is
// kept, so this is the worst case: an application that uses part of the SDK pulls in less.
//
//   node scripts/size-check.mjs          prints the size against the budget; exits 1 over budget or without dist/
//   node scripts/size-check.mjs --json   the same as one JSON object
//
// Needs `npm run build` first. esbuild comes with tsup (a devDependency).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * Budget for dist/index.js bundled, minified and gzipped, zod external, in bytes. Raise it only on purpose,
 * in the commit that needs it, saying why.
 */
export const BUDGET_BYTES = 30 * 1024;

const ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** Bundles and measures the entry. */
export async function measureSize() {
  if (!existsSync(ENTRY)) throw new Error('dist/index.js is missing: run `npm run build` first');
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: ['zod'],
    write: false,
    logLevel: 'silent',
    metafile: true,
  });
  const code = result.outputFiles[0].contents;
  const inputs = Object.entries(result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].inputs);
  const kyBytes = inputs.filter(([path]) => path.includes('node_modules/ky/')).reduce((sum, [, input]) => sum + input.bytesInOutput, 0);
  return {
    minifiedBytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    kyMinifiedBytes: kyBytes,
    budgetBytes: BUDGET_BYTES,
  };
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const size = await measureSize();
    const ok = size.gzipBytes <= size.budgetBytes;
    if (process.argv.includes('--json')) console.log(JSON.stringify({ ...size, ok }));
    else {
      console.log(
        `size: ${kb(size.gzipBytes)} min+gz (budget ${kb(size.budgetBytes)}): dist/index.js bundled with ky, zod external; ` +
          `${kb(size.minifiedBytes)} minified, of which ky ${kb(size.kyMinifiedBytes)}`,
      );
      if (!ok) console.error(`size-check: over budget by ${kb(size.gzipBytes - size.budgetBytes)}`);
    }
    process.exitCode = ok ? 0 : 1;
  } catch (error) {
    console.error(`size-check: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

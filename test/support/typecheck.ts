/**
 * Type-checks generated TypeScript the way a user's project would: under this repository's tsconfig (strict,
 * exactOptionalPropertyTypes, noUnusedLocals), with `primero-sdk` resolved to the source. The files are
 * written under node_modules/.cache so that `zod` resolves as it does for the project.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The compiler's errors for the given files (name → source), one line each; empty when they compile. */
export function typecheck(files: Record<string, string>): string[] {
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'primero-typecheck-'));
  try {
    const names = Object.entries(files).map(([name, source]) => {
      const path = join(dir, name);
      writeFileSync(path, source);
      return path;
    });
    const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
    const program = ts.createProgram(names, { ...options, noEmit: true });
    return ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || d.file.fileName.startsWith(dir))
      .map((d) => `${d.file ? d.file.fileName.slice(dir.length + 1) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

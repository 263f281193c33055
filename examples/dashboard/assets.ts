/**
 * The scripts inlined into the page, so it needs no network when it is viewed: Chart.js's UMD build (which
 * defines `window.Chart`) and the dashboard's own page.js.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExampleError } from '../support/errors.js';

/** The scripts of the page, ready to inline. */
export interface PageAssets {
  /** Chart.js, UMD build. */
  chartJs: string;
  /** The code that draws the charts (page.js). */
  pageScript: string;
}

/** Reads Chart.js from node_modules (wherever the package manager put it) and page.js from this folder. */
export async function loadPageAssets(): Promise<PageAssets> {
  // chart.js exports no path to its UMD file: resolve the package's main file and look beside it.
  const main = createRequire(import.meta.url).resolve('chart.js');
  const umd = ['chart.umd.js', 'chart.umd.min.js'].map((name) => join(dirname(main), name)).find((path) => existsSync(path));
  if (!umd) throw new ExampleError('Chart.js UMD build not found next to the chart.js package: run npm ci');
  const here = dirname(fileURLToPath(import.meta.url));
  const [chartJs, pageScript] = await Promise.all([readFile(umd, 'utf8'), readFile(join(here, 'page.js'), 'utf8')]);
  if (!/Chart\.js v4\./.test(chartJs.slice(0, 200))) throw new ExampleError(`${umd} is not a Chart.js 4 build`);
  return { chartJs: inlineable(chartJs, 'Chart.js'), pageScript: inlineable(pageScript, 'page.js') };
}

/**
 * A script's text as it can sit in a `<script>` element: without its source-map comment (the map is not
 * shipped, and devtools would try to fetch it), and refused if it holds what would end the element early
 * or switch the HTML parser's script states (`</script`, `<script`, `<!--`).
 */
export function inlineable(source: string, name: string): string {
  const text = source.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  if (/<\/script|<script|<!--/i.test(text)) throw new ExampleError(`${name} cannot be inlined: it contains a <script or <!-- sequence`);
  return text;
}

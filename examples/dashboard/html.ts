/**
 * dashboard.html: one self-contained file. The indicators are embedded as JSON, Chart.js and page.js are
 * inlined, and a Content-Security-Policy forbids every network request (`default-src 'none'`) and every
 * script but those two (by hash): a label that smuggled markup past the escaping still could not run.
 *
 * The tables are rendered here, not by script, so the numbers are readable with scripts off, in print and
 * by screen readers.
 *
 * Pure: no I/O.
 * @module
 */
import { createHash } from 'node:crypto';
import type { PageAssets } from './assets.js';
import type { Cell, ChartIndicator, IndicatorsDocument } from './indicators.js';
import { COMPLEMENTARY_MARK } from './suppression.js';

const STYLE = `
:root { color-scheme: light; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; background: #f6f7f9; }
header, main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.25rem; }
header { padding-top: 1.5rem; }
h1 { margin: 0 0 .25rem; font-size: 1.75rem; }
h2 { margin: 0 0 .25rem; font-size: 1.2rem; }
.meta, .description, .note { color: #444; margin: .25rem 0 .75rem; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: .75rem; margin: 0; }
.tiles div { background: #fff; border: 1px solid #d8dbe0; border-radius: .5rem; padding: .75rem 1rem; }
.tiles dt { color: #444; font-size: .9rem; }
.tiles dd { margin: 0; font-size: 1.6rem; font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(28rem, 1fr)); gap: 1rem; margin-top: 1rem; }
.chart, .summary { background: #fff; border: 1px solid #d8dbe0; border-radius: .5rem; padding: 1rem; }
.canvas-box { position: relative; height: 300px; }
table { border-collapse: collapse; margin-top: .75rem; width: 100%; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding-bottom: .25rem; }
th, td { border-bottom: 1px solid #e3e5e8; padding: .2rem .5rem; text-align: left; }
td, thead th + th { text-align: right; font-variant-numeric: tabular-nums; }
tfoot th, tfoot td { font-weight: 600; border-top: 2px solid #c5c9cf; }
@media (max-width: 34rem) { .charts { grid-template-columns: 1fr; } }
@media print { body { background: #fff; } .chart { break-inside: avoid; } }
`;

/** Renders the page. */
export function renderDashboard(doc: IndicatorsDocument, assets: PageAssets): string {
  const data = jsonForScript(doc);
  const csp = [
    "default-src 'none'",
    `script-src ${cspHash(assets.chartJs)} ${cspHash(assets.pageScript)}`,
    `style-src ${cspHash(STYLE)}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const { headline } = doc;
  const median =
    headline.median_response_hours !== null
      ? `${headline.median_response_hours} hours`
      : headline.median_based_on.value === 0
        ? 'no answered referral'
        : `not shown (fewer than ${doc.min_cell} answers)`;
  const tiles: [string, string][] = [
    ['Open cases', headline.open_cases.display],
    ['Services', headline.services.display],
    ['Services implemented', headline.services_implemented.display],
    ['Referrals', headline.referrals.display],
    ['Referrals pending', headline.referrals_pending.display],
    ['Median time to response', median],
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="referrer" content="no-referrer">
<title>Child protection indicators</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Child protection indicators</h1>
<p class="meta">Data as of ${timeElement(doc.data_as_of)} from ${escapeHtml(doc.source)}; page generated ${timeElement(doc.generated_at)}.</p>
</header>
<main>
<section class="summary" aria-labelledby="summary-title">
<h2 id="summary-title">Summary</h2>
<dl class="tiles">
${tiles.map(([term, value]) => `<div><dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd></div>`).join('\n')}
</dl>
<p class="note">${escapeHtml(suppressionNote(doc.min_cell))}</p>
</section>
<div class="charts">
${doc.charts.map(chartSection).join('\n')}
</div>
</main>
<script type="application/json" id="indicators">${data}</script>
<script>${assets.chartJs}</script>
<script>${assets.pageScript}</script>
</body>
</html>
`;
}

/** The explanation of "<5" and "x", shown under the summary. */
export function suppressionNote(minCell: number): string {
  if (minCell <= 1) return 'Every count is shown: small-cell suppression is off.';
  return `To protect children's identities, counts from 1 to ${minCell - 1} are shown as "<${minCell}" and have no bar; ` +
    `"${COMPLEMENTARY_MARK}" hides a count that would let a hidden one be worked out from a total.`;
}

function chartSection(chart: ChartIndicator): string {
  const id = escapeHtml(chart.id);
  const title = escapeHtml(chart.title);
  const multi = chart.series.length > 1;
  const header = [chart.category_heading, ...chart.series.map((s) => s.label), ...(multi ? ['Total'] : [])];
  const rows = chart.categories.map((category, i) => {
    const cells: (Cell | undefined)[] = [...chart.series.map((s) => s.cells[i]), ...(multi ? [chart.category_totals?.[i]] : [])];
    return `<tr><th scope="row">${escapeHtml(category.label)}</th>${cells.map((c) => `<td>${escapeHtml(c?.display ?? '')}</td>`).join('')}</tr>`;
  });
  const span = header.length - 1;
  const foot = chart.total
    ? `<tfoot><tr><th scope="row">${escapeHtml(chart.total.label)}</th>${multi ? `<td colspan="${span - 1}"></td>` : ''}<td>${escapeHtml(chart.total.cell.display)}</td></tr></tfoot>`
    : '';
  return `<section class="chart" id="section-${id}" aria-labelledby="title-${id}">
<h2 id="title-${id}">${title}</h2>
<p class="description" id="description-${id}">${escapeHtml(chart.description)}</p>
<div class="canvas-box"><canvas id="chart-${id}" data-chart="${id}" role="img" aria-label="Bar chart: ${title}. The numbers are in the table below." aria-describedby="description-${id}"><p>The numbers are in the table below.</p></canvas></div>
<table>
<caption>${title}: the numbers</caption>
<thead><tr>${header.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
${foot}
</table>
</section>`;
}

/**
 * JSON to embed in `<script type="application/json">`: every `<`, `>` and `&` as a \u escape (so a label
 * holding `</script>` or `<!--` cannot end the element or change the parser's state), and the two line
 * separators JavaScript once treated as line ends. JSON.parse reads the escapes back to the same text.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Text for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A CSP source for an inline element's exact text. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

function timeElement(iso: string | null): string {
  if (iso === null) return 'no data yet';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return escapeHtml(iso);
  return `<time datetime="${escapeHtml(date.toISOString())}">${escapeHtml(date.toISOString().slice(0, 16).replace('T', ' '))} UTC</time>`;
}

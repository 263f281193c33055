/**
 * The dashboard example end to end: it runs as a child process (as `npm run example:dashboard` does)
 * against a fake Primero served by this test, so the test can change cases between two runs. Its
 * indicators.json is checked against counts computed here straight from the fake's store; its
 * dashboard.html is opened in headless Chromium with every request blocked, and each chart must hold the
 * numbers of indicators.json and have painted its bars.
 *
 * Needs the built package (`npm run build`; `npm test` builds first) and Debian's chromium (.ci/run
 * installs it; CHROMIUM_PATH overrides the path).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrimeroClient } from '../../src/index.js';
import { createFakePrimero, type FakePrimeroWithHandlers, type FakeRecord, type FakeServer, type FakeStore } from '../../src/testing/index.js';
import { loadPageAssets } from '../../examples/dashboard/assets.js';
import type { ChartIndicator, IndicatorsDocument } from '../../examples/dashboard/indicators.js';
import { assertBuilt, ownStderr, runExample } from './run-example.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** A concern label that tries to end the JSON script element and run its own script. */
const HOSTILE_LABEL = 'Separated </script><script>window.injected = 1</script><!-- & "quoted"';
const MIN_CELL = 5;

let fake: FakePrimeroWithHandlers;
let server: FakeServer;
let work: string;

beforeAll(async () => {
  assertBuilt();
  fake = createFakePrimero({ cases: 150, seed: 4242 });
  const concerns = fake.store.lookups.find((l) => l.unique_id === 'lookup-protection-concerns');
  const separated = concerns?.values.find((v) => v.id === 'separated');
  if (!separated) throw new Error('the fake has no "separated" concern');
  separated.display_text = { en: HOSTILE_LABEL };
  server = await fake.listen();
  work = await mkdtemp(join(tmpdir(), 'dashboard-test-'));
});

afterAll(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Runs the example against the test's fake. */
async function runAgainstFake(out: string, ...args: string[]) {
  const run = await runExample('dashboard', {
    args: ['--out', out, ...args],
    env: { PRIMERO_URL: server.url, PRIMERO_USERNAME: fake.credentials.username, PRIMERO_PASSWORD: fake.credentials.password },
  });
  expect(ownStderr(run.stderr)).toBe('');
  expect(run.code).toBe(0);
  return run;
}

async function readIndicators(out: string): Promise<IndicatorsDocument> {
  return JSON.parse(await readFile(join(out, 'indicators.json'), 'utf8')) as IndicatorsDocument;
}

/** `pulled N changed cases (M new), read K referral lists` from the example's output. */
function pulled(stdout: string): { changed: number; added: number; lists: number } {
  const match = /pulled (\d+) changed cases \((\d+) new\), read (\d+) referral lists/.exec(stdout);
  if (!match) throw new Error(`no pull summary in:\n${stdout}`);
  return { changed: Number(match[1]), added: Number(match[2]), lists: Number(match[3]) };
}

// ---------------------------------------------------------------------------------------------------------
// The expected numbers, computed from the fake's store without the example's code.

type Counts = Map<string, number[]>;

function expectedFrom(store: FakeStore): { counts: Record<string, Counts>; median: number } {
  const add = (counts: Counts, key: string, series = 0, width = 1) => {
    const row = counts.get(key) ?? Array.from({ length: width }, () => 0);
    row[series] = (row[series] ?? 0) + 1;
    counts.set(key, row);
  };
  const enabled = [...store.cases.values()].filter((c) => c.record_state !== false);
  const open = enabled.filter((c) => c.status === 'open');
  const [sex, age, concern, location, services, status, response]: [Counts, Counts, Counts, Counts, Counts, Counts, Counts] =
    [new Map(), new Map(), new Map(), new Map(), new Map(), new Map(), new Map()];
  for (const c of open) {
    add(sex, typeof c.sex === 'string' ? c.sex : '_not_recorded');
    const years = c.age as number;
    add(age, years <= 5 ? '0-5' : years <= 11 ? '6-11' : years <= 17 ? '12-17' : '18+');
    const list = c.protection_concerns as string[];
    for (const item of list.length ? new Set(list) : ['_none']) add(concern, item);
    // The fake's district codes are the province code and two digits.
    add(location, String(c.location_current).slice(0, 4));
  }
  for (const c of enabled) {
    for (const s of (c.services_section ?? []) as Record<string, unknown>[]) add(services, String(s.service_type), s.service_implemented === 'implemented' ? 0 : 1, 2);
  }
  const enabledIds = new Set(enabled.map((c) => c.id));
  const hours: number[] = [];
  for (const r of store.referrals.values()) {
    if (!enabledIds.has(r.record_id)) continue;
    add(status, r.status);
    if (r.status !== 'accepted' && r.status !== 'done' && r.status !== 'rejected') continue;
    const h = (Date.parse(String(r.responded_at)) - Date.parse(String(r.created_at))) / 3_600_000;
    hours.push(h);
    add(response, h < 24 ? 'under_1_day' : h < 72 ? '1_to_3_days' : h < 168 ? '3_to_7_days' : '7_days_or_more');
  }
  hours.sort((a, b) => a - b);
  const mid = Math.floor(hours.length / 2);
  const median = hours.length % 2 ? (hours[mid] ?? 0) : ((hours[mid - 1] ?? 0) + (hours[mid] ?? 0)) / 2;
  return {
    counts: {
      cases_by_sex: sex, cases_by_age: age, cases_by_concern: concern, cases_by_location: location,
      services_by_type: services, referrals_by_status: status, referral_response_time: response,
    },
    median: Math.round(median * 10) / 10,
  };
}

/**
 * A chart against the expected counts: every shown count exact, every small one really 1 to 4, no counted
 * category missing, and in a breakdown with a total never exactly one hidden cell.
 */
function checkChart(chart: ChartIndicator, expected: Counts): void {
  const keys = chart.categories.map((c) => c.key);
  for (const [key, row] of expected) if (row.some((n) => n > 0)) expect(keys, `${chart.id} lacks ${key}`).toContain(key);
  let shown = 0;
  chart.series.forEach((series, s) => {
    series.cells.forEach((cell, i) => {
      const want = expected.get(keys[i] ?? '')?.[s] ?? 0;
      if (cell.suppressed === 'small') expect(want, `${chart.id} ${keys[i]}`).toBeGreaterThan(0);
      if (cell.suppressed === 'small') expect(want, `${chart.id} ${keys[i]}`).toBeLessThan(MIN_CELL);
      if (cell.suppressed === undefined) {
        expect(cell.value, `${chart.id} ${keys[i]} ${series.key}`).toBe(want);
        shown++;
      }
    });
    if (chart.total && chart.total.cell.value !== null && chart.series.length === 1) {
      expect(series.cells.filter((c) => c.value === null).length, `${chart.id}: one hidden cell beside a total`).not.toBe(1);
    }
  });
  expect(shown, `${chart.id} shows nothing`).toBeGreaterThan(0);
}

function checkIndicators(doc: IndicatorsDocument, store: FakeStore): void {
  const expected = expectedFrom(store);
  for (const chart of doc.charts) {
    const counts = expected.counts[chart.id];
    if (!counts) throw new Error(`unexpected chart ${chart.id}`);
    checkChart(chart, counts);
  }
  const enabled = [...store.cases.values()].filter((c) => c.record_state !== false);
  expect(doc.headline.open_cases.value).toBe(enabled.filter((c) => c.status === 'open').length);
  expect(doc.headline.services.value).toBe(enabled.reduce((n, c) => n + ((c.services_section as unknown[] | undefined)?.length ?? 0), 0));
  expect(doc.headline.median_response_hours).toBe(expected.median);
  expect(doc.min_cell).toBe(MIN_CELL);
}

/** No record id, case number or name in what the example publishes. */
function expectNoPersonalData(text: string, cases: Iterable<FakeRecord>): void {
  expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  for (const c of cases) {
    for (const value of [c.case_id_display, `${String(c.name_first)} ${String(c.name_last)}`]) expect(text).not.toContain(String(value));
  }
}

// ---------------------------------------------------------------------------------------------------------

/** What the page shows, read in Chromium with every request but the page itself refused. */
async function openDashboard(file: string) {
  // Fail, not skip: CI installs it.
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install chromium, as .ci/run does) or set CHROMIUM_PATH`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const url = pathToFileURL(file).href;
    const requested: string[] = [];
    const problems: string[] = [];
    await page.route('**/*', (route) => {
      if (route.request().url() === url) return route.continue();
      requested.push(route.request().url());
      return route.abort();
    });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(url);
    await page.waitForFunction('document.documentElement.dataset.chartsReady === "true" || document.documentElement.dataset.chartsError !== undefined', null, { timeout: 10_000 });
    // A string, not a function: vitest's transform would put helpers into a function's source.
    const shown = (await page.evaluate(`(() => {
      const hex = (color) => [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
      return {
        error: document.documentElement.dataset.chartsError ?? null,
        injected: window.injected ?? null,
        scripts: document.scripts.length,
        resources: performance.getEntriesByType('resource').length,
        charts: [...document.querySelectorAll('canvas[data-chart]')].map((canvas) => {
          const chart = window.Chart.getChart(canvas);
          const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          const painted = chart.data.datasets.map((dataset) => {
            const [r, g, b] = hex(dataset.backgroundColor);
            let count = 0;
            for (let i = 0; i < pixels.length; i += 4) if (pixels[i] === r && pixels[i + 1] === g && pixels[i + 2] === b && pixels[i + 3] === 255) count++;
            return count;
          });
          const section = canvas.closest('section');
          return {
            id: canvas.dataset.chart,
            title: section.querySelector('h2').textContent,
            ariaLabel: canvas.getAttribute('aria-label'),
            labels: chart.data.labels,
            datasets: chart.data.datasets.map((d) => ({ label: d.label, data: d.data })),
            painted,
            size: [canvas.width, canvas.height],
            table: [...section.querySelectorAll('tbody tr')].map((row) => [...row.children].map((cell) => cell.textContent)),
          };
        }),
      };
    })()`)) as {
      error: string | null; injected: unknown; scripts: number; resources: number;
      charts: { id: string; title: string; ariaLabel: string | null; labels: string[]; datasets: { label: string; data: (number | null)[] }[]; painted: number[]; size: number[]; table: string[][] }[];
    };
    const drawn = [...problems];
    // The CSP is in force: a fetch is refused by the page itself, before it reaches the network.
    const fetched = await page.evaluate('fetch("https://example.org/").then(() => "sent", () => "refused")');
    return { ...shown, requested, problems: drawn, fetched, probeProblems: problems.slice(drawn.length) };
  } finally {
    await browser.close();
  }
}

describe('dashboard example', () => {
  it('publishes the fake\'s numbers, aggregated and suppressed, in a page that draws every chart offline', async () => {
    const out = join(work, 'out');
    const run = await runAgainstFake(out);
    expect(pulled(run.stdout)).toEqual({ changed: 150, added: 150, lists: 150 });
    const doc = await readIndicators(out);
    checkIndicators(doc, fake.store);
    expect(doc.charts.map((c) => c.id)).toEqual(['cases_by_sex', 'cases_by_age', 'cases_by_concern', 'cases_by_location', 'services_by_type', 'referrals_by_status', 'referral_response_time']);
    expect(chart(doc, 'cases_by_location').categories.slice(0, 4)).toEqual([1, 2, 3, 4].map((n) => ({ key: `KH0${n}`, label: `Province ${n}` })));
    expect(chart(doc, 'cases_by_concern').categories[0]).toEqual({ key: 'separated', label: HOSTILE_LABEL });

    const html = await readFile(join(out, 'dashboard.html'), 'utf8');
    const { chartJs } = await loadPageAssets();
    expect(html).toContain(chartJs);
    // Three script elements (data, Chart.js, page.js): the hostile label opened none.
    expect(html.match(/<script/gi)).toHaveLength(3);
    const published = `${await readFile(join(out, 'indicators.json'), 'utf8')}\n${html.replace(chartJs, '')}`;
    expectNoPersonalData(published, fake.store.cases.values());

    const page = await openDashboard(join(out, 'dashboard.html'));
    expect(page.error).toBeNull();
    expect(page.problems).toEqual([]);
    expect(page.requested).toEqual([]);
    expect(page.resources).toBe(0);
    expect(page.fetched).toBe('refused');
    expect(page.probeProblems.join('\n')).toContain('Content Security Policy');
    expect(page.injected).toBeNull();
    expect(page.scripts).toBe(3);
    expect(page.charts.map((c) => c.id)).toEqual(doc.charts.map((c) => c.id));
    for (const [i, indicator] of doc.charts.entries()) {
      const shown = page.charts[i];
      if (!shown) throw new Error(`chart ${indicator.id} not drawn`);
      expect(shown.title).toBe(indicator.title);
      expect(shown.ariaLabel).toContain(indicator.title);
      expect(shown.labels).toEqual(indicator.categories.map((c) => c.label));
      expect(shown.datasets).toEqual(indicator.series.map((s) => ({ label: s.label, data: s.cells.map((c) => c.value) })));
      // Each series with a shown count above zero painted bars in its colour.
      indicator.series.forEach((series, s) => {
        if (series.cells.some((c) => (c.value ?? 0) > 0)) expect(shown.painted[s], `${indicator.id} ${series.key} has no bars`).toBeGreaterThan(50);
      });
      expect(shown.size.every((n) => n > 100)).toBe(true);
      // The data table: one row per category, with the shown (or suppressed) text.
      const multi = indicator.series.length > 1;
      expect(shown.table).toEqual(indicator.categories.map((c, row) => [
        c.label, ...indicator.series.map((s) => s.cells[row]?.display), ...(multi ? [indicator.category_totals?.[row]?.display] : []),
      ]));
    }
  }, 40_000);

  it('on a rerun, pulls only the changed cases and moves them between buckets; the result equals a full pull', async () => {
    const out = join(work, 'out');
    if (!existsSync(join(out, 'indicators.json'))) await runAgainstFake(out); // when run alone
    const client = new PrimeroClient({ baseUrl: fake.baseUrl, auth: fake.credentials, fetch: fake.fetch });
    const referralOf = (id: string) => [...fake.store.referrals.values()].some((r) => r.record_id === id);
    const openCases = [...fake.store.cases.values()].filter((c) => c.status === 'open' && c.record_state !== false && !referralOf(c.id));
    const [moved, closed, disabled] = openCases;
    const pending = [...fake.store.referrals.values()].find((r) => r.status === 'in_progress');
    if (!moved || !closed || !disabled || !pending) throw new Error('the seed lacks the cases this test changes');
    const before = await readIndicators(out);

    // One case changes sex and province; one is closed; one is disabled; a referral is answered; a case is created with a service.
    await client.cases.update(moved.id, { sex: moved.sex === 'female' ? 'male' : 'female', location_current: String(moved.location_current).startsWith('KH03') ? 'KH0101' : 'KH0302' });
    await client.cases.update(closed.id, { status: 'closed' }, { recordAction: 'close' });
    await client.cases.disable(disabled.id);
    await client.referrals.accept(pending.record_id, pending.id);
    const created = await client.cases.create({ module_id: 'primeromodule-cp', sex: 'female', age: 4, protection_concerns: ['trafficked'], location_current: 'KH0401' });
    await client.services.add(created.id, { service_type: 'education_service' });

    const requestsBefore = fake.requests.length;
    const run = await runAgainstFake(out);
    // Five cases changed; the disabled one's referrals are not read.
    expect(pulled(run.stdout)).toEqual({ changed: 5, added: 1, lists: 4 });
    const listed = fake.requests.slice(requestsBefore).filter((r) => r.method === 'GET' && /^\/cases\/[^/]+\/referrals$/.test(r.path));
    expect(listed.map((r) => r.path).sort()).toEqual([moved.id, closed.id, pending.record_id, created.id].map((id) => `/cases/${id}/referrals`).sort());

    const after = await readIndicators(out);
    checkIndicators(after, fake.store);
    // Open cases: one closed, one disabled, one created. The moved case is counted once, in its new buckets.
    expect(after.headline.open_cases.value).toBe((before.headline.open_cases.value ?? Number.NaN) - 1);
    expect(after.headline.referrals_pending.value).toBe((before.headline.referrals_pending.value ?? Number.NaN) - 1);

    // The incremental result is what a pull from scratch gives.
    const fresh = join(work, 'fresh');
    const full = await runAgainstFake(fresh, '--full');
    expect(pulled(full.stdout).changed).toBe(fake.store.cases.size);
    const { generated_at: _a, ...incremental } = after;
    const { generated_at: _b, ...scratch } = await readIndicators(fresh);
    expect(incremental).toEqual(scratch);
  }, 30_000);

  it('runs against the built-in fake when PRIMERO_URL is unset, and a rerun pulls nothing new', async () => {
    const out = join(work, 'default');
    const first = await runExample('dashboard', { args: ['--out', out] });
    expect(ownStderr(first.stderr)).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('the fake Primero');
    expect(pulled(first.stdout).changed).toBeGreaterThan(0);
    const second = await runExample('dashboard', { args: ['--out', out] });
    expect(second.code).toBe(0);
    // The built-in fake is generated afresh from its seed, with the same timestamps: nothing changed.
    expect(pulled(second.stdout)).toEqual({ changed: 0, added: 0, lists: 0 });
    const { generated_at: _a, ...one } = await readIndicators(out);
    expect(one.headline.open_cases.value).toBeGreaterThan(0);
    expect(existsSync(join(out, 'dashboard.html'))).toBe(true);
  }, 20_000);

  it('refuses to mix state from another server, and explains a wrong option', async () => {
    const out = join(work, 'out');
    if (!existsSync(join(out, 'state'))) await runAgainstFake(out);
    const other = await runExample('dashboard', { args: ['--out', out] }); // the built-in fake, not the test's
    expect(other.code).toBe(1);
    expect(ownStderr(other.stderr)).toMatch(/^ExampleError: The state directory holds data pulled from another server or user.*--full$/);
    const wrong = await runExample('dashboard', { args: ['--min-cell', 'few'] });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--min-cell takes a whole number');
  }, 20_000);
});

function chart(doc: IndicatorsDocument, id: string): ChartIndicator {
  const found = doc.charts.find((c) => c.id === id);
  if (!found) throw new Error(`no chart ${id}`);
  return found;
}

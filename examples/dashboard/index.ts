/**
 * Use case 2, a child-protection dashboard: pull the cases changed since the last run, update the
 * indicators (cases by sex, age band, protection concern and location; services by type and
 * implementation; referrals by status and time to response), and write a self-contained dashboard.html
 * plus indicators.json. Only aggregates leave the example, after small-cell suppression.
 *
 *   npm run example:dashboard                       # against the SDK's fake Primero
 *   npm run example:dashboard -- --out /srv/dashboard
 *   PRIMERO_URL=https://primero.example.org PRIMERO_USERNAME=... PRIMERO_PASSWORD=... npm run example:dashboard
 *
 * It prints counts only: never a record id or a name.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '../support/connect.js';
import { exitWithError } from '../support/errors.js';
import { writeFileAtomic } from '../support/files.js';
import { parseDashboardArgs, USAGE, UsageError } from './args.js';
import { loadPageAssets } from './assets.js';
import { fetchCatalog } from './catalog.js';
import { renderDashboard } from './html.js';
import { computeIndicators, INDICATORS_FORMAT, type IndicatorsDocument } from './indicators.js';
import { pullChanges } from './pull.js';
import { StateDirectory } from './state.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The run; returns the exit status: 0 done, 1 failed, 2 wrong options. */
async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseDashboardArgs(argv, join(here, 'output'));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  // Read before connecting: a missing Chart.js fails before any request is made.
  const assets = await loadPageAssets();
  const { client, target, origin, fake, credential, close } = await connect();
  try {
    console.log(`Dashboard from ${target}`);
    // The state is tied to the server and user it was pulled from; the fake's data is the same on every run.
    const source = fake ? 'fake' : `${origin} as ${'username' in credential ? credential.username : 'a token'}`;
    await mkdir(args.out, { recursive: true });
    const state = new StateDirectory(join(args.out, 'state'), source);
    if (args.full) await state.clear();
    const loaded = await state.load();
    if (loaded.reset) console.log(`  starting again from the first case: ${loaded.reset}`);
    console.log(loaded.cursor ? `  resuming after ${loaded.cursor.since} (${loaded.facts.size} cases in the state)` : '  first pull: every case');

    const { catalog, warnings } = await fetchCatalog(client, { locale: args.locale, locationLevel: args.locationLevel });
    for (const warning of warnings) console.warn(`  warning: ${warning}`);

    const pulled = await pullChanges(client, loaded.facts, {
      since: loaded.cursor,
      cursors: state.cursors,
      saveFacts: (facts) => state.saveFacts(facts),
    });
    console.log(`  pulled ${pulled.changed} changed cases (${pulled.added} new), read ${pulled.referralLists} referral lists`);

    const indicators = computeIndicators(loaded.facts.values(), { minCell: args.minCell, catalog });
    const doc: IndicatorsDocument = {
      format: INDICATORS_FORMAT,
      generated_at: new Date().toISOString(),
      data_as_of: pulled.dataAsOf,
      source: fake ? 'the SDK fake Primero (generated demo data)' : new URL(origin).host,
      ...indicators,
    };
    // Aggregates only, after suppression, meant to be published: readable by all (the state stays 0600).
    await writeFileAtomic(join(args.out, 'indicators.json'), `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o644 });
    await writeFileAtomic(join(args.out, 'dashboard.html'), renderDashboard(doc, assets), { mode: 0o644 });
    const { headline } = indicators;
    console.log(`  open cases ${headline.open_cases.display}, services ${headline.services.display}, referrals ${headline.referrals.display}`);
    console.log(`Wrote ${join(args.out, 'dashboard.html')} and indicators.json`);
    return 0;
  } finally {
    await close();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // One line: SDK errors and this example's own by their message (no secret, no value), anything else by its class only.
  exitWithError(error);
}

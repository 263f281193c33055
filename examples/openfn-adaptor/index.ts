/**
 * Runs the sample OpenFn job (job.js) through the real OpenFn runtime, with the example adaptor built on
 * primero-sdk (adaptor.ts), and prints the runtime's log and a summary of the final state: ids and counts.
 *
 *   npm run example:openfn-adaptor                  # against the SDK's fake Primero
 *   PRIMERO_URL=https://primero.example.org PRIMERO_USERNAME=... PRIMERO_PASSWORD=... npm run example:openfn-adaptor
 *
 * The credential goes into the workflow step's `configuration`, as OpenFn passes it; it is on the state only
 * while the job runs, never in the final state or a log line.
 */
import { readFile } from 'node:fs/promises';
import { connect } from '../support/connect.js';
import { exitWithError } from '../support/errors.js';
import { rerunWithVmModules, runJob, vmModulesEnabled, type FinalState } from './runner.js';

if (!vmModulesEnabled()) {
  // The runtime evaluates jobs as vm modules, behind a Node flag: start again with it, as the OpenFn CLI does.
  process.exitCode = await rerunWithVmModules();
} else {
  try {
    await main();
  } catch (error) {
    exitWithError(error);
  }
}

async function main(): Promise<void> {
  // PRIMERO_URL with its credential, or the fake Primero served on this machine.
  const { credential: configuration, target, close } = await connect();
  try {
    const source = await readFile(new URL('./job.js', import.meta.url), 'utf8');
    console.log(`OpenFn job examples/openfn-adaptor/job.js on ${target}, through @openfn/runtime`);
    const state = await runJob({
      source,
      configuration,
      stepId: 'intake',
      // The trigger's body: an intake from a partner system. Invented; the job prints no field of it.
      state: { data: { individual_id: 'PRG-2026-000417', sex: 'female', age: 12, consent: true } },
      onLog: (line) => console.log(`  ${line}`),
    });
    report(state);
  } finally {
    await close();
  }
}

function report(state: FinalState): void {
  const errors = Object.entries(state.errors ?? {});
  if (errors.length) {
    // The adaptor's errors name the operation, the SDK error's class and its message: no value, no secret.
    for (const [step, error] of errors) console.error(`Step ${step} failed: ${error.name ?? 'Error'}: ${error.message ?? ''}`);
    process.exitCode = 1;
    return;
  }
  const summary = state.data as {
    caseId: string; caseAction: string; referralId: string; referralAction: string; acceptedReferrals: string[]; openCases: number; highRisk: number; pages: number;
  };
  console.log('Final state');
  console.log(`  case ${summary.caseId} ${summary.caseAction}`);
  console.log(`  referral ${summary.referralId} ${summary.referralAction}, ${summary.acceptedReferrals.includes(summary.referralId) ? 'accepted' : 'NOT accepted'}`);
  console.log(`  open cases: ${summary.openCases} (read in ${summary.pages} pages), high risk: ${summary.highRisk}`);
  console.log(`  state keys: ${Object.keys(state).sort().join(', ')}`);
}

/**
 * Use case 1: a caseworker's case has a service UNHCR is to provide. The job refers the case to UNHCR in
 * Primero (a remote referral linked to the service), sends the referral to UNHCR's proGres DTP gateway,
 * and later writes UNHCR's decision back: accepted then completed (the service is implemented), or
 * rejected with the reason. It is safe to rerun; see job.ts for how it knows what is already done.
 *
 *   npm run example:referral-to-unhcr       # the whole story against a fake Primero and a gateway stand-in
 *   PRIMERO_URL=https://primero.example.org PRIMERO_USERNAME=... PRIMERO_PASSWORD=... \
 *   UNHCR_DTP_URL=https://dtp.example.org UNHCR_DTP_KEY=... npm run example:referral-to-unhcr   # one run of the job
 */
import { isPrimeroError } from 'primero-sdk';
import { connect } from '../support/connect.js';
import { runDemo } from './demo.js';
import { DtpGateway } from './dtp.js';
import { runReferralJob } from './job.js';
import { formatCounts, formatStep } from './report.js';

const agencyId = process.env.UNHCR_AGENCY_ID?.trim() || 'agency-unhcr';

try {
  if (process.env.PRIMERO_URL?.trim()) process.exitCode = (await runOnce()) ? 0 : 1;
  else process.exitCode = (await runDemo(agencyId)) ? 0 : 1;
} catch (error) {
  // SDK errors carry no secret and no record data: safe to print whole.
  console.error(isPrimeroError(error) ? `${error.name}: ${error.message}` : error);
  process.exitCode = 1;
}

/** One scheduled run against real servers. True when no step failed. */
async function runOnce(): Promise<boolean> {
  const { UNHCR_DTP_URL: dtpUrl, UNHCR_DTP_KEY: dtpKey } = process.env;
  if (!dtpUrl || !dtpKey) throw new Error('PRIMERO_URL is set: set UNHCR_DTP_URL and UNHCR_DTP_KEY (the gateway subscription key) too');
  const gateway = new DtpGateway(dtpUrl, dtpKey);
  const { client, target, close } = await connect();
  try {
    console.log(`Referral job on ${target}, UNHCR gateway ${new URL(dtpUrl).host}, agency ${agencyId}`);
    const reports = await runReferralJob(client, gateway, {
      agencyId,
      onStep: (step) => {
        const line = formatStep(step);
        if (line !== undefined) console.log(line);
      },
    });
    console.log(formatCounts(reports));
    return !reports.some((report) => report.step === 'failed');
  } finally {
    await close();
  }
}

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
import { connect, realPrimeroUrl, type Connection } from '../support/connect.js';
import { ExampleError, exitWithError } from '../support/errors.js';
import { runDemo } from './demo.js';
import { DtpGateway } from './dtp.js';
import { runReferralJob } from './job.js';
import { formatCounts, formatStep } from './report.js';

const agencyId = process.env.UNHCR_AGENCY_ID?.trim() || 'agency-unhcr';

try {
  // Against a real Primero, the gateway's settings are checked before anything is started.
  const gateway = realPrimeroUrl() ? realGateway() : undefined;
  // No seeded cases in the fake: the job would otherwise pick up every seeded service for UNHCR too.
  const connection = await connect({ fake: { cases: 0, seed: 6 } });
  try {
    let ok: boolean;
    if (connection.fake) ok = await runDemo(connection, agencyId);
    else if (gateway) ok = await runOnce(connection, gateway);
    else throw new Error('no gateway for a real Primero');
    process.exitCode = ok ? 0 : 1;
  } finally {
    await connection.close();
  }
} catch (error) {
  exitWithError(error);
}

/** The gateway of UNHCR_DTP_URL and UNHCR_DTP_KEY. */
function realGateway(): DtpGateway {
  const { UNHCR_DTP_URL: dtpUrl, UNHCR_DTP_KEY: dtpKey } = process.env;
  if (!dtpUrl?.trim() || !dtpKey) throw new ExampleError('PRIMERO_URL is set: set UNHCR_DTP_URL and UNHCR_DTP_KEY (the gateway subscription key) too');
  return new DtpGateway(dtpUrl.trim(), dtpKey);
}

/** One scheduled run against real servers. True when no step failed. */
async function runOnce({ client, target }: Connection, gateway: DtpGateway): Promise<boolean> {
  console.log(`Referral job on ${target}, UNHCR gateway ${gateway.host}, agency ${agencyId}`);
  const reports = await runReferralJob(client, gateway, {
    agencyId,
    onStep: (step) => {
      const line = formatStep(step);
      if (line !== undefined) console.log(line);
    },
  });
  console.log(formatCounts(reports));
  return !reports.some((report) => report.step === 'failed');
}

/**
 * The whole story on one machine: the SDK's fake Primero, the DTP stand-in, a caseworker's two cases, and
 * the job run four times with UNHCR deciding in between. It ends by reading the outcome back from Primero
 * and counting what each side received, and fails (exit 1) if anything was sent or written twice.
 */
import { randomUUID } from 'node:crypto';
import type { PrimeroClient } from 'primero-sdk';
import type { Connection } from '../support/connect.js';
import { createDemoCase, type DemoCase } from './demo-cases.js';
import { DtpGateway, externalReferralId } from './dtp.js';
import { startDtpStandIn } from './dtp-stand-in.js';
import { runReferralJob } from './job.js';
import { changedAnything, formatCounts, formatStep } from './report.js';

/** The demo, against the fake Primero of `connection` (with no seeded case: see index.ts). */
export async function runDemo(connection: Connection, agencyId: string): Promise<boolean> {
  const { client, fake } = connection;
  if (!fake) throw new Error('the demo runs against the fake Primero only');
  const key = randomUUID();
  const standIn = await startDtpStandIn({ subscriptionKey: key });
  try {
    const gateway = new DtpGateway(standIn.url, key);
    console.log(`Against ${connection.target}, with a DTP gateway stand-in at ${standIn.url}`);

    const toAccept = await createDemoCase(client, { agencyId, serviceType: 'legal_assistance_service' });
    const toReject = await createDemoCase(client, { agencyId, serviceType: 'registration_service' });
    console.log(`Caseworker's cases: ${toAccept.caseIdDisplay} (${toAccept.serviceType}), ${toReject.caseIdDisplay} (${toReject.serviceType}), both for ${agencyId}`);
    const idOf = (demo: DemoCase) => externalReferralId(demo.caseId, demo.serviceId);

    const run = async (title: string) => {
      console.log(title);
      const reports = await runReferralJob(client, gateway, { agencyId, onStep: (step) => print(formatStep(step)) });
      console.log(formatCounts(reports));
      return reports;
    };
    await run('Run 1: refer the services in Primero and send the referrals to UNHCR');
    standIn.accept(idOf(toAccept));
    standIn.reject(idOf(toReject), 'individual_not_found');
    console.log('UNHCR accepts one referral and rejects the other');
    await run('Run 2: write the decisions into Primero');
    standIn.complete(idOf(toAccept), 'Legal counselling given');
    console.log('UNHCR delivers the accepted service');
    await run('Run 3: complete the referral in Primero');
    const rerun = await run('Run 4: a rerun, with nothing new');

    console.log('Outcome, read back from Primero:');
    const accepted = await readBack(client, toAccept);
    const rejected = await readBack(client, toReject);
    const posts = standIn.posts.length;
    const referralsCreated = fake.requests.filter((r) => r.method === 'POST' && /^\/cases\/[^/]+\/referrals$/.test(r.path)).length;
    const decisionsWritten = fake.requests.filter((r) => r.method === 'PATCH' && /^\/cases\/[^/]+\/referrals\/[^/]+$/.test(r.path)).length;
    console.log(`UNHCR gateway received ${posts} referral posts for ${standIn.referrals.size} referrals; Primero received ${referralsCreated} referral creations and ${decisionsWritten} status changes`);

    // accept + complete for one, reject for the other: three status changes, no more.
    const ok = accepted === 'done/implemented' && rejected === 'rejected/not_implemented' && posts === 2 && standIn.referrals.size === 2
      && referralsCreated === 2 && decisionsWritten === 3 && !changedAnything(rerun);
    console.log(ok ? 'OK: each referral was sent once, each decision written once, and the rerun changed nothing' : 'FAILED: see the counts above');
    return ok;
  } finally {
    await standIn.close();
  }
}

/** Prints the referral and service state of a demo case; returns `<referral status>/<service_implemented>`. */
async function readBack(client: PrimeroClient, demo: DemoCase): Promise<string> {
  const [referral, ...more] = (await client.referrals.list(demo.id)).filter((r) => r.service_record_id === demo.serviceId);
  const service = await client.services.get(demo.id, demo.serviceId);
  const state = `${referral?.status ?? 'none'}/${service?.service_implemented ?? 'unknown'}`;
  const reason = referral?.rejected_reason ? ', reason recorded' : '';
  console.log(`  case ${demo.caseIdDisplay}: referral ${referral?.id ?? '-'} ${referral?.status ?? 'missing'}${reason}; service ${service?.service_implemented ?? 'missing'}${more.length ? `; ${more.length} more referrals!` : ''}`);
  return more.length ? 'duplicated' : state;
}

function print(line: string | undefined): void {
  if (line !== undefined) console.log(line);
}

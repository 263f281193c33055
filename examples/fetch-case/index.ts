/**
 * Fetch one case and print what a troubleshooter needs: its ids, state, owner, dates, services,
 * referrals and which fields hold a value, but no value that identifies the child. `--full-record` prints
 * the whole record, deliberately: that output is a case file and belongs nowhere a case file may not go.
 *
 *   npm run example:fetch-case                          # against the fake: a seeded case with a service
 *   npm run example:fetch-case -- <id>                  # the record id (a UUID)
 *   npm run example:fetch-case -- --case-id <case_id>   # the case_id field
 *   npm run example:fetch-case -- <id> --full-record    # every field, personal data included
 */
import { parseArgs } from 'node:util';
import { isPrimeroError, type CaseRecord, type PrimeroClient } from 'primero-sdk';
import { connect } from '../support/connect.js';
import { exitWithError } from '../support/errors.js';
import { summarize, type ReferralsRead } from './summary.js';

const USAGE = 'usage: npm run example:fetch-case -- [<id> | --case-id <case_id>] [--full-record]';

/** A failure the user can fix, reported as one line with an exit code. */
class Refusal extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

let args: ReturnType<typeof parseCommandLine>;
try {
  args = parseCommandLine();
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}

try {
  const { client, target, fake, close } = await connect();
  try {
    // With --full-record stdout is the JSON alone (`> case.json` works); the rest goes to stderr.
    const say = args.fullRecord ? console.error : console.log;
    say(`Case on ${target}`);
    const record = await findCase(client, say, fake !== undefined);
    if (args.fullRecord) {
      console.error('--full-record: the output below holds personal data. Do not paste it into a ticket or a chat.');
      const read = await readReferrals(client, record.id);
      console.log(JSON.stringify({ case: record, ...('referrals' in read ? read : { referrals_unavailable: read.unavailable }) }, null, 2));
    } else {
      for (const line of summarize(record, await readReferrals(client, record.id))) console.log(line);
    }
  } finally {
    await close();
  }
} catch (error) {
  if (error instanceof Refusal) {
    console.error(error.message);
    process.exitCode = error.exitCode;
  } else {
    // One line: SDK errors by their message (no secret, no record data), anything else by its class only.
    exitWithError(error);
  }
}

function parseCommandLine(): { id: string | undefined; caseId: string | undefined; fullRecord: boolean } {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'case-id': { type: 'string' }, 'full-record': { type: 'boolean', default: false } },
  });
  const [id, ...extra] = positionals;
  if (extra.length) throw new Error('one case at a time');
  if (id && values['case-id']) throw new Error('give a record id or --case-id, not both');
  return { id, caseId: values['case-id'], fullRecord: values['full-record'] === true };
}

async function findCase(client: PrimeroClient, say: (line: string) => void, againstFake: boolean): Promise<CaseRecord> {
  const found = args.caseId === undefined ? undefined : await client.cases.findByCaseId(args.caseId);
  if (args.caseId !== undefined && !found) {
    throw new Refusal('No case with that case_id is visible to this user (case_id is matched exactly; the short id shown in the web app is case_id_display).', 1);
  }
  // A list entry may hold fewer fields than the record itself: always read the record.
  const id = found?.id ?? args.id ?? (await pickSeededCase(client, say, againstFake));
  try {
    return await client.cases.get(id);
  } catch (error) {
    if (isPrimeroError(error, 'NotFoundError')) throw new Refusal(`No case with record id ${id} (404). If this is a case_id, use --case-id.`, 1);
    if (isPrimeroError(error, 'ForbiddenError')) throw new Refusal(`This user may not read case ${id} (403): it is outside the role's scope.`, 1);
    throw error;
  }
}

/**
 * With no argument the one command still works against the fake: it shows a seeded case with a service
 * and, among the first few, one that was also referred, so that every part of the summary has something in it.
 */
async function pickSeededCase(client: PrimeroClient, say: (line: string) => void, againstFake: boolean): Promise<string> {
  if (!againstFake) throw new Refusal(`Which case? Give its record id or --case-id.\n${USAGE}`, 2);
  let firstWithService: string | undefined;
  let chosen: string | undefined;
  let looked = 0;
  for await (const record of client.cases.list({ fields: ['services_section'], per: 50 })) {
    if (!record.services_section?.length) continue;
    firstWithService ??= record.id;
    if ((await client.referrals.list(record.id)).length) chosen = record.id;
    if (chosen || ++looked >= 20) break;
  }
  const id = chosen ?? firstWithService;
  if (!id) throw new Refusal('The fake holds no case with a service.', 1);
  say(`(no id given: showing seeded case ${id}; pass an id or --case-id <case_id> to choose)`);
  return id;
}

/** Referrals come from another endpoint with its own scope rules (primero-api.md 5.2): a refusal there is shown, not fatal. */
async function readReferrals(client: PrimeroClient, caseId: string): Promise<ReferralsRead> {
  try {
    return { referrals: await client.referrals.list(caseId) };
  } catch (error) {
    if (isPrimeroError(error, 'ForbiddenError') || isPrimeroError(error, 'NotFoundError')) return { unavailable: `${error.status}` };
    throw error;
  }
}

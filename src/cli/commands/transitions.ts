/**
 * `primero referrals list <caseId>` and `primero services list <caseId>`: a case's referrals and service
 * entries (`<caseId>` is the case's record id), printed because the user asked for them.
 *
 * @module
 */
import type { Command } from 'commander';
import type { PrimeroClient } from '../../client.js';
import { addConnectionOptions, type ConnectionFlags, connect } from '../connection.js';
import { addJsonOption, printJson, printTable, run } from '../output.js';

interface ListOptions extends ConnectionFlags {
  json?: boolean;
}

/** What differs between the per-case list commands: everything else is one shape. */
interface CaseListCommand {
  noun: 'referrals' | 'services';
  summary: string;
  description: string;
  fetch: (client: PrimeroClient, caseId: string) => Promise<readonly object[]>;
  columns: readonly string[];
}

function caseListCommand(program: Command, spec: CaseListCommand): void {
  const list = program
    .command(spec.noun)
    .description(spec.summary)
    .command('list')
    .description(spec.description)
    .argument('<caseId>', "the case's record id (a UUID)")
    .addHelpText('after', ['', 'Example:', `  $ primero ${spec.noun} list 3f0c… --json`].join('\n'));
  addJsonOption(addConnectionOptions(list)).action((caseId: string, options: ListOptions) =>
    run(async () => {
      const rows = await spec.fetch(connect(options), caseId);
      if (options.json) return printJson(rows);
      printTable([...spec.columns], rows.map((row) => spec.columns.map((column) => (row as Record<string, unknown>)[column])));
    }),
  );
}

/** @internal Adds `referrals list` to the program. */
export function referralsCommand(program: Command): void {
  caseListCommand(program, {
    noun: 'referrals',
    summary: "Read a case's referrals.",
    description: "List a case's referrals (id, status, to user, service).",
    fetch: (client, caseId) => client.referrals.list(caseId),
    columns: ['id', 'status', 'transitioned_to', 'service'],
  });
}

/** @internal Adds `services list` to the program. */
export function servicesCommand(program: Command): void {
  caseListCommand(program, {
    noun: 'services',
    summary: "Read a case's service entries.",
    description: "List a case's service entries (unique_id, type, implemented).",
    fetch: (client, caseId) => client.services.list(caseId),
    columns: ['unique_id', 'service_type', 'service_implemented'],
  });
}

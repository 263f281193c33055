/**
 * `primero referrals list <caseId>` and `primero services list <caseId>`: a case's referrals and service
 * entries (`<caseId>` is the case's record id), printed because the user asked for them.
 *
 * @module
 */
import type { Command } from 'commander';
import { addConnectionOptions, type ConnectionFlags, connect } from '../connection.js';
import { addJsonOption, printJson, printTable, run } from '../output.js';

interface ListOptions extends ConnectionFlags {
  json?: boolean;
}

/** @internal Adds `referrals list` to the program. */
export function referralsCommand(program: Command): void {
  const list = program
    .command('referrals')
    .description("Read a case's referrals.")
    .command('list')
    .description("List a case's referrals (id, status, to user, service).")
    .argument('<caseId>', "the case's record id (a UUID)")
    .addHelpText('after', ['', 'Example:', '  $ primero referrals list 3f0c… --json'].join('\n'));
  addJsonOption(addConnectionOptions(list)).action((caseId: string, options: ListOptions) =>
    run(async () => {
      const referrals = await connect(options).referrals.list(caseId);
      if (options.json) return printJson(referrals);
      const show = (r: object, key: string) => (r as Record<string, unknown>)[key];
      printTable(['id', 'status', 'transitioned_to', 'service'], referrals.map((r) => [r.id, show(r, 'status'), show(r, 'transitioned_to'), show(r, 'service')]));
    }),
  );
}

/** @internal Adds `services list` to the program. */
export function servicesCommand(program: Command): void {
  const list = program
    .command('services')
    .description("Read a case's service entries.")
    .command('list')
    .description("List a case's service entries (unique_id, type, implemented).")
    .argument('<caseId>', "the case's record id (a UUID)")
    .addHelpText('after', ['', 'Example:', '  $ primero services list 3f0c… --json'].join('\n'));
  addJsonOption(addConnectionOptions(list)).action((caseId: string, options: ListOptions) =>
    run(async () => {
      const services = await connect(options).services.list(caseId);
      if (options.json) return printJson(services);
      const show = (s: object, key: string) => (s as Record<string, unknown>)[key];
      printTable(
        ['unique_id', 'service_type', 'service_implemented'],
        services.map((s) => [show(s, 'unique_id'), show(s, 'service_type'), show(s, 'service_implemented')]),
      );
    }),
  );
}

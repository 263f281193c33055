/**
 * The demo: a fake Primero whose data forwarding posts to the receiver, a few case changes of each kind
 * (`case.update`, `case.create`, a manual Sync's `case.post`), then the proof that acknowledging did not
 * start a loop: Primero's forwarding goes quiet, with exactly one echo per acknowledgement, all skipped.
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from '../support/connect.js';
import { startReceiver } from './receiver.js';

/** How long forwarding may take to go quiet. A loop never does. */
const QUIET_WITHIN_MS = 5_000;

/** The demo, against the fake Primero of `connection` (its cases are the ones changed). */
export async function runDemo(connection: Connection): Promise<boolean> {
  const { client, fake } = connection;
  if (!fake) throw new Error('the demo runs against the fake Primero only');
  const apiKey = randomUUID();
  const receiver = await startReceiver({ client, auth: { apiKey }, print: console.log });
  try {
    // The webhook an administrator configures in Primero (primero-api.md 7.1): every case event, x-api-key.
    fake.store.webhooks.push({ url: receiver.webhookUrl, events: ['case.create', 'case.update', 'case.post'], auth: { type: 'api_key', key: apiKey } });
    console.log(`Receiver at ${receiver.webhookUrl}; ${connection.target} forwards case.create, case.update and case.post to it`);
    const [first, second, third] = [...fake.store.cases.keys()];
    if (!first || !second || !third) throw new Error('the fake has too few cases');

    // One change at a time, each followed by the forwarding it causes, so the output reads in order.
    // settle() waits for every queued delivery, including those queued meanwhile: under a loop it never resolves.
    const settled = () => Promise.race([fake.settle().then(() => true), sleep(QUIET_WITHIN_MS).then(() => false)]);
    let quiet = true;
    const change = async (title: string, make: () => Promise<string>): Promise<string> => {
      console.log(title);
      const id = await make();
      quiet &&= await settled();
      return id;
    };
    const changed = [
      await change(`Change 1: update case ${first} (case.update)`, async () => (await client.cases.update(first, { risk_level: 'high' })).id),
      await change(`Change 2: update case ${second} (case.update)`, async () => (await client.cases.update(second, { protection_concerns: ['separated', 'child_labour'] })).id),
      await change('Change 3: create a case (case.create)', async () => (await client.cases.create({ module_id: 'primeromodule-cp', protection_concerns: ['unaccompanied'] })).id),
      await change(`Change 4: the Sync button on case ${third} (case.post)`, async () => (await client.cases.sync(third)).record_id),
    ];

    const deliveries = fake.deliveries.length;
    const failedDeliveries = fake.deliveries.filter((d) => d.status === undefined || d.status >= 400).length;
    const statuses = await Promise.all(changed.map(async (id) => (await client.cases.get(id, { fields: ['sync_status'] })).sync_status ?? 'none'));

    const { received, echoesSkipped, acknowledged, failed } = receiver.counts;
    console.log(`Primero posted ${deliveries} deliveries (${failedDeliveries} failed); the receiver processed ${received}, acknowledged ${acknowledged}, skipped ${echoesSkipped} echoes, failed ${failed}`);
    console.log(`sync_status in Primero: ${changed.map((id, i) => `${id}=${statuses[i]}`).join(', ')}`);
    if (!quiet) {
      console.log(`FAILED: forwarding still busy after ${QUIET_WITHIN_MS} ms: the acknowledgements are looping`);
      return false;
    }
    const n = changed.length;
    const ok = received === n && acknowledged === n && echoesSkipped === n && deliveries === 2 * n && failedDeliveries === 0 && failed === 0 && statuses.every((s) => s === 'synced');
    console.log(ok ? `OK: ${n} changes, ${n} acknowledgements, ${n} echoes skipped, then silence: no loop` : 'FAILED: see the counts above');
    return ok;
  } finally {
    await receiver.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

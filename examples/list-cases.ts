/**
 * The README's main job: page through every open case and print child-protection indicators, then fetch
 * one case by id. It prints counts and record ids only, never a name: logs of integration jobs are read
 * by more people than the case files are.
 *
 *   npm start                                   # against the SDK's fake Primero
 *   PRIMERO_URL=https://primero.example.org PRIMERO_USERNAME=... PRIMERO_PASSWORD=... npm start
 */
import { connect } from './support/connect.js';
import { exitWithError } from './support/errors.js';

const AGE_BANDS = [
  { label: '0-5', max: 5 },
  { label: '6-11', max: 11 },
  { label: '12-17', max: 17 },
];

try {
  const { client, target, close } = await connect();
  try {
    console.log(`Open cases on ${target}`);
    const openCases = client.cases.list({
      filters: { status: 'open' },
      fields: ['sex', 'age', 'protection_concerns'],
      per: 100,
      prefetch: 2,
    });

    const bySex = new Map<string, number>();
    const byAge = new Map<string, number>([...AGE_BANDS.map((b): [string, number] => [b.label, 0])]);
    const byConcern = new Map<string, number>();
    const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
    let total = 0;
    let firstId: string | undefined;
    for await (const record of openCases) {
      total++;
      firstId ??= record.id;
      count(bySex, record.sex ?? 'unknown');
      const age = record.age;
      count(byAge, typeof age === 'number' ? (AGE_BANDS.find((band) => age <= band.max)?.label ?? '18+') : 'unknown');
      for (const concern of record.protection_concerns ?? []) count(byConcern, concern);
    }

    const show = (title: string, map: Map<string, number>) => console.log(`  ${title}: ${[...map].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`  total: ${total}`);
    show('by sex', new Map([...bySex].sort(([a], [b]) => a.localeCompare(b))));
    show('by age band', byAge);
    show('by protection concern', new Map([...byConcern].sort(([, a], [, b]) => b - a)));

    if (firstId) {
      const record = await client.cases.get(firstId, { fields: ['case_id_display', 'status'] });
      console.log(`Fetched case ${record.case_id_display ?? record.id}: status ${record.status}`);
    }
  } finally {
    await close();
  }
} catch (error) {
  // One line: SDK errors by their message (no secret, no record data), anything else by its class only.
  exitWithError(error);
}

// Child process of bench/memory.mjs, run with --expose-gc: streams cases from the fake at `url` and reports
// how far its resident set grew above a settled baseline. It does nothing else, so nothing else is counted.
//   node --expose-gc bench/memory-child.mjs <sdk|sdk-off|raw> <url> <username> <password> <how many cases>
import { PrimeroClient } from 'primero-sdk';

const [mode, url, username, password, limitText] = process.argv.slice(2);
const limit = Number(limitText);
const PER = 1000;
const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

let peak = 0;
const sample = () => {
  const rss = process.memoryUsage.rss();
  if (rss > peak) peak = rss;
};

async function* rawRecords(per) {
  for (let page = 1; ; page++) {
    const response = await fetch(`${url}/api/v2/cases?order_by=created_at&order=asc&page=${page}&per=${per}`, { headers: { authorization: basic } });
    if (!response.ok) throw new Error(`GET /cases: ${response.status}`);
    const { data, metadata } = await response.json();
    yield* data;
    if (!data.length || page * metadata.per >= metadata.total) return;
  }
}

const client = new PrimeroClient({ baseUrl: url, auth: { username, password }, validate: mode === 'sdk-off' ? 'off' : 'loose' });
// Warm-up: the modules, the connection and the JIT, with one small page; then a settled baseline.
if (mode !== 'raw') await client.cases.list({ per: 1 }).firstPage();
else for await (const record of rawRecords(1)) break;
for (let i = 0; i < 3; i++) globalThis.gc();
const baseline = process.memoryUsage();
peak = baseline.rss;

const timer = setInterval(sample, 2);
let count = 0;
let heldHeap = 0;
const records = mode !== 'raw' ? client.cases.list({ per: PER }) : rawRecords(PER);
for await (const record of records) {
  if (typeof record.id === 'string') count++;
  if (count % 200 === 0) sample();
  if (count >= limit) {
    // Still inside the scan: what a GC cannot free now is what the scan holds (the ids it has seen).
    globalThis.gc();
    heldHeap = process.memoryUsage().heapUsed - baseline.heapUsed;
    break;
  }
}
clearInterval(timer);
sample();
process.stdout.write(`${JSON.stringify({ mode, count, peakGrowthMB: (peak - baseline.rss) / 2 ** 20, heldHeapMB: heldHeap / 2 ** 20 })}\n`);

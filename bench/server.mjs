// Child process of the benchmarks: a fake Primero (`primero-sdk/testing`) served over HTTP on loopback with
// `fake.listen()`. Options come as JSON in argv[2]; the address and demo credentials go back over IPC.
import { createFakePrimero } from 'primero-sdk/testing';

const options = JSON.parse(process.argv[2] ?? '{}');
// recordRequests: false, or the fake would keep every request of a 100,000-case run.
const fake = createFakePrimero({ recordRequests: false, ...options });
const served = await fake.listen({ port: 0 });
process.send({ url: served.url, credentials: fake.credentials });
process.on('message', async (message) => {
  if (message !== 'close') return;
  await served.close();
  process.exit(0);
});
process.on('disconnect', () => process.exit(0));

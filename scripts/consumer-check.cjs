// A real CommonJS consumer of the built package. Run twice by `npm run consumers`: once as is and once with
// --no-experimental-require-module, as on Node < 20.19 where require() of ESM (ky) fails: the CJS build
// must carry its own ky.
const assert = require('node:assert/strict');
const { PrimeroClient, ServerError, isPrimeroError } = require('primero-sdk');

const fetch = async () => new Response('<!DOCTYPE html><html><body>502 Bad Gateway</body></html>', { status: 502, headers: { 'content-type': 'text/html' } });

(async () => {
  const client = new PrimeroClient({ baseUrl: 'https://primero.example', fetch, maxRetries: 0 });
  const error = await client.request('GET', '/cases').catch((e) => e);
  assert.ok(error instanceof ServerError);
  assert.ok(isPrimeroError(error, 'ServerError'));
  assert.equal(error.bodyKind, 'html');
  console.log('CJS consumer: ok');
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

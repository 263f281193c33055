// A real ESM consumer of the built package, resolved by its own name through package.json "exports".
// It checks what a user's `import` gets: the classes, a request through an injected fetch, a typed error
// recognised across the ESM and CJS copies of the SDK (the dual-package hazard).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { PrimeroClient, NotFoundError, isPrimeroError } from 'primero-sdk';

const fetch = async (request) => {
  const url = new URL(request.url);
  if (url.pathname === '/api/v2/cases/missing') {
    return new Response(JSON.stringify({ errors: [{ status: 404, resource: url.pathname, message: 'Not Found' }] }), { status: 404 });
  }
  assert.equal(request.headers.get('authorization'), `Basic ${btoa('user:pass')}`);
  return Response.json({ data: [{ id: '1' }], metadata: { total: 1, per: 100, page: 1 } });
};

const client = new PrimeroClient({ baseUrl: 'https://primero.example', auth: { username: 'user', password: 'pass' }, fetch });
assert.deepEqual(await client.paginate('/cases').collect({ max: 10 }), [{ id: '1' }]);
const error = await client.request('GET', '/cases/missing').catch((e) => e);
assert.ok(error instanceof NotFoundError);

// The CJS build is a second copy of every class: instanceof cannot cross it, isPrimeroError must.
const cjs = createRequire(import.meta.url)('primero-sdk');
assert.notEqual(cjs.NotFoundError, NotFoundError);
assert.ok(cjs.isPrimeroError(error, 'NotFoundError'));
assert.ok(isPrimeroError(new cjs.NotFoundError({ status: 404, method: 'GET', url: '/x', errors: [], bodyKind: 'empty' }), 'PrimeroApiError'));
// The testing kit, as a user's own test would use it.
const { createFakePrimero } = await import('primero-sdk/testing');
const fake = createFakePrimero({ cases: 3, seed: 2 });
const onFake = new PrimeroClient({ baseUrl: fake.baseUrl, auth: fake.credentials, fetch: fake.fetch });
assert.equal((await onFake.lookups.list().collect({ max: 100 })).length, fake.store.lookups.length);
assert.equal(fake.handlers.length, 1);
// The webhooks receiver: a delivery with the right key is accepted, a wrong one refused.
const { createWebhookHandler, verifyWebhook } = await import('primero-sdk/webhooks');
const delivered = [];
const receive = createWebhookHandler({ auth: { apiKey: 'k-1' }, onDelivery: (d) => void delivered.push(d.recordId) });
const delivery = (key) =>
  new Request('https://receiver.example/hook', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ data: { record_id: 'r-1', record_type: 'case', hostname: 'primero.example', last_updated_at: null } }),
  });
assert.ok(verifyWebhook(delivery('k-1'), { apiKey: 'k-1' }));
assert.equal((await receive(delivery('k-1'))).status, 200);
assert.equal((await receive(delivery('wrong'))).status, 401);
assert.deepEqual(delivered, ['r-1']);
console.log('ESM consumer: ok');

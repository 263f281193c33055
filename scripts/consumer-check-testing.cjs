// A CommonJS consumer of primero-sdk/testing. The testing kit loads msw, whose CommonJS build requires an
// ES-module-only dependency: it needs Node's require(esm), on by default since Node 20.19.
const assert = require('node:assert/strict');
const { PrimeroClient } = require('primero-sdk');
const { createFakePrimero } = require('primero-sdk/testing');

(async () => {
  const fake = createFakePrimero({ cases: 3 });
  const { url, close } = await fake.listen();
  try {
    const client = new PrimeroClient({ baseUrl: url, auth: fake.credentials });
    assert.equal((await client.forms.list({ record_type: 'case' })).length, fake.store.forms.filter((form) => form.parent_form === 'case').length);
  } finally {
    await close();
  }
  console.log('CJS testing consumer: ok');
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

import { http, HttpResponse } from 'msw';
import { expect, test } from 'vitest';
import { API, CREDENTIALS, recordRequests, server, testClient } from './support/server.js';

test('smoke', async () => {
  const seen = recordRequests();
  server.use(http.get(`${API}/cases`, () => HttpResponse.json({ data: [{ id: 'a' }], metadata: { total: 1, per: 100, page: 1 } })));
  const client = testClient({ auth: CREDENTIALS });
  const items = await client.paginate('/cases').collect({ max: 10 });
  expect(items).toEqual([{ id: 'a' }]);
  expect(seen[0]?.headers.get('authorization')).toMatch(/^Basic /);
  expect(seen[0]?.query.get('order_by')).toBe('created_at');
});

// REST v1 contacts, groups and imports: search with cursors, change, delete one and in bulk,
// groups renamed and filled by a search, the account's default country, imports as JSON,
// problem+json naming the field, and another account's ids answered as missing (404).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';

// Answers are read loosely: the test checks them field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;

const SHOP = 'hk_rest_shop_0123456789abcdef';
const OTHER = 'hk_rest_other_0123456789abcdef';

test('REST v1: contacts searched, paged, changed, deleted; groups by search; imports as JSON; other accounts 404', async (t) => {
  const h = await configuredHermod({
    users: [
      {
        username: 'shop',
        password: 'pw',
        balance: 1,
        rate: 0.01,
        apiKeys: [SHOP],
        defaults: { country: 'GB' },
      },
      { username: 'other', password: 'pw', balance: 1, rate: 0.01, apiKeys: [OTHER] },
    ],
    connectors: [{ id: 'sim', type: 'simulator' }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
    engine: { imports: { maxBytes: 4096 } },
  });
  t.after(() => h.stop());
  const call = async (key: string, method: string, url: string, payload?: unknown) => {
    const r = await h.api.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${key}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    const json = /json/.test(String(r.headers['content-type'])) && r.body !== '';
    return { status: r.statusCode, body: json ? (r.json() as Doc) : {}, raw: r };
  };
  const shop = (m: string, u: string, p?: unknown) => call(SHOP, m, u, p);

  // National numbers in the account's default country (GB).
  const ada = await shop('POST', '/v1/contacts', {
    number: '07700 900001',
    first_name: 'Ada',
    fields: { tier: 'gold' },
  });
  assert.equal(ada.status, 201);
  assert.equal(ada.body.number, '+447700900001');
  assert.equal(ada.body.opted_out, false);
  for (const [i, name] of ['Bo', 'Cy', 'Dee', 'Ed'].entries())
    assert.equal(
      (await shop('POST', '/v1/contacts', { number: `+44770090000${i + 2}`, first_name: name })).status,
      201,
    );
  // The other account cannot read the shop's: 404 as for a missing one.
  assert.equal((await call(OTHER, 'GET', `/v1/contacts/${ada.body.id}`)).status, 404);
  assert.equal((await call(OTHER, 'PATCH', `/v1/contacts/${ada.body.id}`, { notes: 'x' })).status, 404);
  assert.equal((await call(OTHER, 'DELETE', `/v1/contacts/${ada.body.id}`)).status, 404);
  assert.deepEqual((await call(OTHER, 'GET', '/v1/contacts')).body.data, []);

  // Pages of two, by cursor; every contact once.
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await shop('GET', `/v1/contacts?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(page.status, 200);
    seen.push(...page.body.data.map((c: { number: string }) => c.number));
    cursor = page.body.next_cursor;
  } while (cursor);
  assert.equal(seen.length, 5);
  assert.equal(new Set(seen).size, 5);
  // By a national number prefix, a name, a field.
  assert.equal((await shop('GET', '/v1/contacts?number=0770090000')).body.data.length, 5);
  assert.deepEqual(
    (await shop('GET', '/v1/contacts?name=cy')).body.data.map((c: { first_name: string }) => c.first_name),
    ['Cy'],
  );
  assert.equal((await shop('GET', '/v1/contacts?field=tier:gold')).body.data[0].id, ada.body.id);
  const badField = await shop('GET', '/v1/contacts?field=gold');
  assert.equal(badField.status, 400);
  assert.match(badField.body.detail, /^field: /);
  const badCursor = await shop('GET', '/v1/contacts?cursor=nonsense');
  assert.equal(badCursor.status, 400);
  assert.match(badCursor.body.detail, /^cursor: /);
  assert.equal((await shop('GET', '/v1/contacts?limit=5000')).status, 400);

  // Changed: given fields change, null removes a custom field; a number in use is a 409.
  const changed = await shop('PATCH', `/v1/contacts/${ada.body.id}`, {
    last_name: 'Lovelace',
    notes: 'VIP',
    fields: { tier: null, code: 'A1' },
  });
  assert.equal(changed.status, 200);
  assert.deepEqual(
    [changed.body.first_name, changed.body.last_name, changed.body.fields],
    ['Ada', 'Lovelace', { code: 'A1' }],
  );
  const taken = await shop('PATCH', `/v1/contacts/${ada.body.id}`, { number: '+447700900002' });
  assert.equal(taken.status, 409);
  assert.equal(taken.body.code, 'HERMOD_ERR_CONTACT_EXISTS');
  assert.doesNotMatch(taken.body.detail, /447700900002/);
  assert.equal((await shop('PATCH', `/v1/contacts/${ada.body.id}`, { number: 'nope' })).status, 400);

  // Groups: created, filled by a search, renamed, emptied by ids, deleted (members stay).
  const g = await shop('POST', '/v1/contact-groups', { name: 'Staff', description: 'everyone at work' });
  assert.equal(g.status, 201);
  const added = await shop('POST', `/v1/contact-groups/${g.body.id}/members`, { filter: { name: 'c' } });
  assert.deepEqual(added.body, { added: 1 });
  assert.deepEqual((await shop('POST', `/v1/contact-groups/${g.body.id}/members`, { filter: {} })).body, {
    added: 4,
  });
  assert.equal((await shop('GET', `/v1/contact-groups/${g.body.id}`)).body.members, 5);
  assert.equal((await call(OTHER, 'GET', `/v1/contact-groups/${g.body.id}`)).status, 404);
  assert.equal(
    (await call(OTHER, 'POST', `/v1/contact-groups/${g.body.id}/members`, { filter: {} })).status,
    404,
  );
  const renamed = await shop('PATCH', `/v1/contact-groups/${g.body.id}`, { name: 'Team' });
  assert.deepEqual([renamed.body.name, renamed.body.description], ['Team', 'everyone at work']);
  assert.deepEqual(
    (await shop('POST', `/v1/contact-groups/${g.body.id}/members/remove`, { contacts: [ada.body.id] })).body,
    { removed: 1 },
  );
  assert.equal((await shop('GET', `/v1/contacts?group=${g.body.id}`)).body.data.length, 4);
  const both = await shop('POST', `/v1/contact-groups/${g.body.id}/members`, { contacts: [1], filter: {} });
  assert.equal(both.status, 400);

  // Bulk delete: an empty filter needs all: true; by ids; by a search (group counts follow).
  const empty = await shop('POST', '/v1/contacts/delete', { filter: {} });
  assert.equal(empty.status, 400);
  assert.match(empty.body.detail, /all: true/);
  assert.deepEqual((await shop('POST', '/v1/contacts/delete', { filter: { name: 'dee' } })).body, {
    deleted: 1,
  });
  assert.equal((await shop('GET', `/v1/contact-groups/${g.body.id}`)).body.members, 3);
  assert.equal((await shop('DELETE', `/v1/contacts/${ada.body.id}`)).status, 204);
  assert.equal((await shop('GET', `/v1/contacts/${ada.body.id}`)).status, 404);
  assert.equal((await shop('DELETE', `/v1/contact-groups/${g.body.id}`)).status, 204);
  assert.equal((await shop('GET', '/v1/contacts')).body.data.length, 3);
  assert.equal((await shop('GET', `/v1/contact-groups/${g.body.id}`)).status, 404);

  // An import as JSON, with its own default country and mapping; its progress; 413 beyond the cap.
  const imported = await shop('POST', '/v1/imports', {
    csv: 'Tel;Vorname\n0151 12345678;Jan\n0151 1234567x;Kai\n',
    country: 'DE',
    mapping: { number: 'Tel', first_name: 'Vorname' },
    group: 'Berlin',
  });
  assert.equal(imported.status, 202, JSON.stringify(imported.body));
  assert.equal(imported.raw.headers.location, `/v1/imports/${imported.body.id}`);
  assert.equal(imported.body.delimiter, ';');
  let job: Doc = {};
  await until('the import completes', async () => {
    job = (await shop('GET', `/v1/imports/${imported.body.id}`)).body;
    return job.state === 'completed';
  });
  assert.deepEqual([job.created, job.invalid, job.progress], [1, 1, 1]);
  assert.equal((await shop('GET', '/v1/contacts?number=%2B49151')).body.data[0].first_name, 'Jan');
  const errors = await shop('GET', `/v1/imports/${imported.body.id}/errors`);
  assert.match(
    errors.raw.body,
    /^line,number,reason,row\r\n3,0151 1234567x,"invalid number: only digits, spaces and a leading \+ are allowed",0151 1234567x;Kai\r\n$/,
  );
  assert.equal((await call(OTHER, 'GET', `/v1/imports/${imported.body.id}`)).status, 404);
  assert.equal((await call(OTHER, 'GET', `/v1/imports/${imported.body.id}/errors`)).status, 404);
  assert.equal((await shop('GET', '/v1/imports')).body.data.length, 1);
  const big = await shop('POST', '/v1/imports', { csv: `phone\n${'+447700900001\n'.repeat(400)}` });
  assert.equal(big.status, 413);
  assert.equal(big.body.code, 'HERMOD_ERR_IMPORT_TOO_LARGE');
  const noNumber = await shop('POST', '/v1/imports', { csv: 'a,b\nc,d\n' });
  assert.equal(noNumber.status, 400);
  assert.match(noNumber.body.detail, /^mapping\.number: /);
  const csvBody = await h.api.inject({
    method: 'POST',
    url: '/v1/imports?map=number=1,first_name=2&header=false',
    headers: { authorization: `Bearer ${SHOP}`, 'content-type': 'text/csv' },
    payload: '+447700900011,Fay\n',
  });
  assert.equal(csvBody.statusCode, 202, csvBody.body);
  assert.equal(csvBody.json().columns.first_name, 'column 2');
  const badMap = await h.api.inject({
    method: 'POST',
    url: '/v1/imports?map=phone=1',
    headers: { authorization: `Bearer ${SHOP}`, 'content-type': 'text/csv' },
    payload: '+447700900011,Fay\n',
  });
  assert.equal(badMap.statusCode, 400);
  assert.match(badMap.json().detail, /unknown role "phone"/);
});

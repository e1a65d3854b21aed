// REST v1 POST /v1/imports/preview: the columns guessed from the header or as mapped, the
// first rows as the contacts they would become or the reason each would be reported (the
// import's own rules), repeats named, nothing stored; errors name the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configuredHermod } from '../support/hermod.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;

const KEY = 'hk_preview_shop_0123456789abcdef';

test('REST v1: an import preview shows the columns and the first rows as they would be saved', async (t) => {
  const h = await configuredHermod({
    users: [
      {
        username: 'shop',
        password: 'pw',
        balance: 1,
        rate: 0.01,
        apiKeys: [KEY],
        defaults: { country: 'GB' },
      },
    ],
    connectors: [{ id: 'sim', type: 'simulator' }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  });
  t.after(() => h.stop());
  const preview = async (query: string, csv: string) => {
    const r = await h.api.inject({
      method: 'POST',
      url: `/v1/imports/preview${query}`,
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'text/csv' },
      payload: csv,
    });
    return { status: r.statusCode, body: r.json() as Doc };
  };

  const csv = [
    'First Name,Mobile,Loyalty Code,Surname',
    'Ada,07700 900001,A1,Lovelace',
    'Bo,call me,B2,',
    ',,C3,Nobody',
    '',
    'Ada again,+447700900001,A9,L',
    'Cy,"+44 7700',
  ].join('\r\n');
  const guessed = await preview('', csv);
  assert.equal(guessed.status, 200);
  assert.equal(guessed.body.header, true);
  assert.deepEqual(guessed.body.columns, [
    { position: 1, name: 'First Name', role: 'first_name', field: null },
    { position: 2, name: 'Mobile', role: 'number', field: null },
    { position: 3, name: 'Loyalty Code', role: 'field', field: 'loyalty_code' },
    { position: 4, name: 'Surname', role: 'last_name', field: null },
  ]);
  const rows = guessed.body.rows as Doc[];
  // The blank line is not a row; the row cut at the end (an open quote) is left out.
  assert.deepEqual(
    rows.map((r) => r.line),
    [2, 3, 4, 6],
  );
  assert.deepEqual(rows[0].contact, {
    number: '+447700900001',
    first_name: 'Ada',
    last_name: 'Lovelace',
    fields: { loyalty_code: 'A1' },
  });
  assert.equal(rows[0].error, null);
  assert.match(rows[1].error, /^invalid number: /);
  assert.equal(rows[1].contact, null);
  assert.equal(rows[2].error, 'no number');
  assert.equal(rows[3].repeat_of, 2);
  assert.deepEqual(rows[3].cells, ['Ada again', '+447700900001', 'A9', 'L']);

  // Mapped by position: the first name is a custom field (not also a name); the rest guessed.
  const mapped = await preview('?map=number=2,field.given=1&rows=2&country=US', csv);
  assert.equal(mapped.status, 200);
  assert.deepEqual(
    mapped.body.columns.map((c: Doc) => [c.role, c.field]),
    [
      ['field', 'given'],
      ['number', null],
      [null, null],
      ['last_name', null],
    ],
  );
  assert.equal(mapped.body.rows.length, 2);
  // A national number read in the country asked for (US): not a possible one there.
  assert.match(mapped.body.rows[0].error, /^invalid number: /);

  // fields=-: no guessed custom fields.
  const noFields = await preview('?map=number=2,fields=-', csv);
  assert.deepEqual(
    noFields.body.columns.map((c: Doc) => c.role),
    ['first_name', 'number', null, 'last_name'],
  );
  assert.equal(noFields.body.rows[0].contact.fields, undefined);

  // Nothing was stored.
  const list = await h.api.inject({
    method: 'GET',
    url: '/v1/contacts',
    headers: { authorization: `Bearer ${KEY}` },
  });
  assert.deepEqual(list.json().data, []);

  // Errors name the field (a contact's bad number too: `number`, as the body says it).
  const badNumber = await h.api.inject({
    method: 'POST',
    url: '/v1/contacts',
    headers: { authorization: `Bearer ${KEY}` },
    payload: { number: 'call me' },
  });
  assert.equal(badNumber.statusCode, 400);
  assert.match(badNumber.json().detail, /^number: "call me" is not a valid phone number/);
  const missing = await preview('?map=number=Phone', csv);
  assert.equal(missing.status, 400);
  assert.match(missing.body.detail, /^mapping\.number: no column named "Phone"/);
  const empty = await preview('', '');
  assert.equal(empty.status, 400);
  assert.match(empty.body.detail, /^csv: /);
  const big = await preview('', 'number\n' + '+447700900001\n'.repeat(80_000));
  assert.equal(big.status, 413);
});

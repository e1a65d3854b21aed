// An account's own retention ages (issue 21) through the admin API and `hermod users set`:
// PATCH /v1/admin/users/{name} takes settings.retention, the user's view shows it, a
// deletion age shorter than the redaction age is refused naming the field, and the CLI's
// --redact-after-days / --delete-after-days ("default" for the operator's) set the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_ADMIN_KEY } from '../../src/config/index.js';
import { demoHermod } from '../support/hermod.js';
import { hermod, json, ok } from '../support/cli.js';

const admin = { authorization: `Bearer ${DEMO_ADMIN_KEY}` };

test("PATCH /v1/admin/users/{name} settings.retention and hermod users set --delete-after-days: an account's own ages", async (t) => {
  const h = await demoHermod();
  t.after(() => h.stop());
  const patch = (retention: Record<string, unknown>) =>
    h.api.inject({
      method: 'PATCH',
      url: '/v1/admin/users/demo',
      headers: admin,
      payload: { settings: { retention } },
    });
  const before = await h.api.inject({ method: 'GET', url: '/v1/admin/users/demo', headers: admin });
  assert.deepEqual(JSON.parse(before.body).settings.retention, {
    redactAfterDays: null,
    deleteAfterDays: null,
  });

  const set = await patch({ redactAfterDays: 7, deleteAfterDays: 30 });
  assert.equal(set.statusCode, 200, set.body);
  assert.deepEqual(JSON.parse(set.body).settings.retention, { redactAfterDays: 7, deleteAfterDays: 30 });
  // Merged: naming one age keeps the other.
  const merged = await patch({ deleteAfterDays: 60 });
  assert.deepEqual(JSON.parse(merged.body).settings.retention, { redactAfterDays: 7, deleteAfterDays: 60 });
  const bad = await patch({ deleteAfterDays: 3 });
  assert.equal(bad.statusCode, 400);
  assert.equal(JSON.parse(bad.body).code, 'HERMOD_ERR_INVALID_ACCOUNT');
  assert.match(
    JSON.parse(bad.body).detail,
    /settings\.retention\.deleteAfterDays must be at least redactAfterDays \(7\)/,
  );
  assert.equal((await patch({ deleteAfterDays: -1 })).statusCode, 400);
  // What the purger reads: the store's user.
  assert.deepEqual((await h.store.getUserByName('demo'))?.settings.retention, {
    redactAfterDays: 7,
    deleteAfterDays: 60,
  });

  const url = `http://127.0.0.1:${h.apiPort}`;
  const cli = json<{ settings: { retention: unknown } }>(
    ok(
      await hermod([
        'users',
        'set',
        'demo',
        '--redact-after-days',
        'default',
        '--delete-after-days',
        '0',
        '--url',
        url,
        '--json',
      ]),
      'users set --delete-after-days',
    ),
  );
  assert.deepEqual(cli.settings.retention, { redactAfterDays: null, deleteAfterDays: 0 });
  const refused = await hermod(['users', 'set', 'demo', '--delete-after-days', 'soon', '--url', url]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /whole number of days, 0 \(never\) or "default"/);
});

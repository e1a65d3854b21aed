// AuditStore contract, on SQLite and PostgreSQL: rows kept as recorded, read newest first by
// keyset pages (AuditLog.page's nextCursor), and the migration named `audit/1`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuditLog } from '../../src/engine/index.js';
import { BACKENDS, openBackend } from './backends.js';

for (const name of BACKENDS) {
  test(`${name}: the audit log keeps operator actions and pages them newest first`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const log = new AuditLog(b.stores.audit);
    const first = await log.record({
      at: 1_000,
      actor: 'ops@hermod.example',
      actorKind: 'operator',
      method: 'PUT',
      path: '/v1/admin/routes',
      target: null,
      status: 200,
    });
    assert.equal(first.actor, 'ops@hermod.example');
    for (let i = 0; i < 4; i++)
      await log.record({
        at: 2_000 + i,
        actor: 'admin token',
        actorKind: 'admin_token',
        method: 'POST',
        path: `/v1/admin/users/u${i}/credit`,
        target: `u${i}`.repeat(i === 3 ? 150 : 1),
        status: i === 2 ? 400 : 200,
      });
    const p1 = await log.page({ limit: 3 });
    assert.deepEqual(
      p1.entries.map((e) => e.path),
      ['/v1/admin/users/u3/credit', '/v1/admin/users/u2/credit', '/v1/admin/users/u1/credit'],
    );
    // A target is cut at 200 characters; the status is kept as answered.
    assert.equal(p1.entries[0].target?.length, 200);
    assert.equal(p1.entries[1].status, 400);
    assert.notEqual(p1.nextCursor, null);
    const p2 = await log.page({ limit: 3, before: p1.nextCursor! });
    assert.deepEqual(
      p2.entries.map((e) => [e.actorKind, e.method, e.target, e.at]),
      [
        ['admin_token', 'POST', 'u0', 2_000],
        ['operator', 'PUT', null, 1_000],
      ],
    );
    assert.equal(p2.nextCursor, null);
    const migrated =
      name === 'sqlite'
        ? (b.store as unknown as { engineHandle(): { db: { prepare(s: string): { all(): unknown[] } } } })
            .engineHandle()
            .db.prepare("SELECT name FROM engine_migrations WHERE name = 'audit/1'")
            .all()
        : (
            await (
              b.store as unknown as {
                engineHandle(): { pool: { query(s: string): Promise<{ rows: unknown[] }> } };
              }
            )
              .engineHandle()
              .pool.query("SELECT name FROM engine_migrations WHERE name = 'audit/1'")
          ).rows;
    assert.equal(migrated.length, 1);
  });
}

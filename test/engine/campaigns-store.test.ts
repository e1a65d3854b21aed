// TemplateStore and CampaignStore contract, on SQLite and PostgreSQL: templates scoped by
// account; an audience resolved in SQL (groups, contact ids, exclusion groups, listed numbers,
// opted-out and duplicate numbers counted); prepared recipients paged by keyset; outcomes;
// statistics joined with the gateway's messages; state moves by compare-and-set; leases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newMessageId } from '../../src/domain/index.js';
import type { NewCampaign } from '../../src/store/engine-store/index.js';
import { BACKENDS, openBackend } from './backends.js';

for (const name of BACKENDS) {
  test(`${name}: templates are named per account, listed by keyset, updated and deleted`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { templates } = b.stores;
    const a = await templates.createTemplate({
      userId: b.shop.id,
      name: 'reminder',
      text: 'Hi {{first_name}}',
    });
    await assert.rejects(templates.createTemplate({ userId: b.shop.id, name: 'reminder', text: 'x' }), {
      code: 'HERMOD_ERR_TEMPLATE_EXISTS',
    });
    await templates.createTemplate({ userId: b.other.id, name: 'reminder', text: 'theirs' });
    const second = await templates.createTemplate({ userId: b.shop.id, name: 'promo', text: 'Sale' });
    assert.deepEqual(
      (await templates.listTemplates({ userId: b.shop.id, after: 0, limit: 10 })).map((x) => x.name),
      ['reminder', 'promo'],
    );
    assert.deepEqual(
      (await templates.listTemplates({ userId: b.shop.id, after: a.id, limit: 10 })).map((x) => x.id),
      [second.id],
    );
    assert.equal(await templates.getTemplate({ userId: b.other.id, id: a.id }), undefined);
    assert.equal(await templates.updateTemplate({ userId: b.other.id, id: a.id, text: 'x' }), undefined);
    await assert.rejects(templates.updateTemplate({ userId: b.shop.id, id: second.id, name: 'reminder' }), {
      code: 'HERMOD_ERR_TEMPLATE_EXISTS',
    });
    const changed = await templates.updateTemplate({
      userId: b.shop.id,
      id: a.id,
      text: 'Hello {{first_name}}',
    });
    assert.equal(changed?.text, 'Hello {{first_name}}');
    assert.equal(changed?.name, 'reminder');
    assert.equal(await templates.deleteTemplate({ userId: b.other.id, id: a.id }), false);
    assert.equal(await templates.deleteTemplate({ userId: b.shop.id, id: a.id }), true);
    assert.equal(await templates.getTemplate({ userId: b.shop.id, id: a.id }), undefined);
  });

  test(`${name}: an audience is resolved in SQL: groups, contacts, exclusions, numbers; opted-out and duplicates counted`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { contacts, campaigns } = b.stores;
    const news = await contacts.createGroup({ userId: b.shop.id, name: 'News' });
    const vip = await contacts.createGroup({ userId: b.shop.id, name: 'VIP' });
    const blocked = await contacts.createGroup({ userId: b.shop.id, name: 'Blocked' });
    const theirs = await contacts.createGroup({ userId: b.other.id, name: 'Theirs' });
    const inNews = await contacts.upsertContacts({
      userId: b.shop.id,
      groupId: news.id,
      contacts: [1, 2, 3, 4].map((i) => ({
        msisdn: `44770090000${i}`,
        firstName: `N${i}`,
        fields: { code: `C${i}` },
      })),
    });
    // 2 is also VIP (counted once); 4 is blocked (excluded).
    await contacts.addToGroup({ userId: b.shop.id, groupId: vip.id, contactIds: [inNews.ids[1]] });
    await contacts.addToGroup({ userId: b.shop.id, groupId: blocked.id, contactIds: [inNews.ids[3]] });
    const single = await contacts.upsertContacts({
      userId: b.shop.id,
      contacts: [{ msisdn: '447700900005' }],
    });
    await contacts.upsertContacts({
      userId: b.other.id,
      groupId: theirs.id,
      contacts: [{ msisdn: '447700900009' }],
    });
    await b.store.setOptOut('447700900003', 'Shop', true);
    await b.store.setOptOut('447700900001', 'SomeoneElse', true); // another sender's opt-out
    const spec: NewCampaign = {
      userId: b.shop.id,
      name: 'Winter',
      sender: 'Shop',
      text: 'Hi {{first_name|there}}',
      templateId: null,
      audience: {
        groups: [news.id, vip.id, theirs.id],
        contacts: [single.ids[0]],
        excludeGroups: [blocked.id],
        // 447700900001 is a contact already; 447700900007 twice; one not a number.
        numbers: ['447700900001', '447700900007', '447700900007', 'call me'],
      },
      scheduleAt: null,
      timeZone: null,
      quietHours: null,
      ratePerSecond: null,
      tags: [],
      sendWhatBalanceCovers: false,
      repeat: null,
    };
    const c = await campaigns.createCampaign(spec);
    assert.equal(c.state, 'draft');
    assert.deepEqual(c.audience, spec.audience);
    const r = await campaigns.resolveAudience({ userId: b.shop.id, campaignId: c.id, now: 1 });
    // 1, 2, 3 (opted out), 5, 7, "call me"; 4 excluded; 9 is another account's; 1 and 7 again are duplicates.
    assert.deepEqual(r, { recipients: 6, optedOut: 1, duplicates: 2 });
    const fresh = await campaigns.recipientPage({ campaignId: c.id, state: 'new', after: 0, limit: 100 });
    assert.deepEqual(
      fresh.map((x) => x.msisdn),
      ['447700900001', '447700900002', '447700900005', '447700900007', 'call me'],
    );
    assert.deepEqual(fresh[0].fields, { code: 'C1' });
    assert.equal(fresh[0].firstName, 'N1');
    // Keyset: after the second, the rest.
    const rest = await campaigns.recipientPage({
      campaignId: c.id,
      state: 'new',
      after: fresh[1].id,
      limit: 2,
    });
    assert.deepEqual(
      rest.map((x) => x.msisdn),
      ['447700900005', '447700900007'],
    );
    // Resolving again replaces (not adds to) the recipients.
    assert.deepEqual(await campaigns.resolveAudience({ userId: b.shop.id, campaignId: c.id, now: 2 }), r);
    // Previewed without a campaign: the same counts, and the first recipients not opted out.
    const preview = await campaigns.previewAudience({
      userId: b.shop.id,
      sender: 'Shop',
      audience: spec.audience,
      sample: 5,
    });
    assert.deepEqual(
      { recipients: preview.recipients, optedOut: preview.optedOut, duplicates: preview.duplicates },
      r,
    );
    assert.deepEqual(
      preview.sample.map((x) => [x.msisdn, x.firstName, x.contactId !== null]),
      [
        ['447700900001', 'N1', true],
        ['447700900002', 'N2', true],
        ['447700900005', null, true],
        ['447700900007', null, false],
        ['call me', null, false],
      ],
    );
    assert.deepEqual(preview.sample[1].fields, { code: 'C2' });
    const two = await campaigns.previewAudience({
      userId: b.shop.id,
      sender: 'Shop',
      audience: spec.audience,
      sample: 2,
    });
    assert.equal(two.sample.length, 2);
    // A draft is deleted with what its estimate resolved; only the account's, only a draft.
    const scratch = await campaigns.createCampaign(spec);
    await campaigns.resolveAudience({ userId: b.shop.id, campaignId: scratch.id, now: 3 });
    assert.equal(await campaigns.deleteDraft({ userId: b.other.id, id: scratch.id }), false);
    assert.equal(await campaigns.deleteDraft({ userId: b.shop.id, id: scratch.id }), true);
    assert.equal(await campaigns.getCampaign({ userId: b.shop.id, id: scratch.id }), undefined);
    assert.deepEqual(
      await campaigns.recipientPage({ campaignId: scratch.id, state: 'new', after: 0, limit: 10 }),
      [],
    );
    assert.equal(await campaigns.deleteDraft({ userId: b.shop.id, id: scratch.id }), false);
    // Another account cannot resolve (or see) it.
    assert.deepEqual(await campaigns.resolveAudience({ userId: b.other.id, campaignId: c.id, now: 3 }), {
      recipients: 0,
      optedOut: 0,
      duplicates: 0,
    });
    assert.equal(await campaigns.getCampaign({ userId: b.other.id, id: c.id }), undefined);
    assert.equal(await campaigns.stats({ userId: b.other.id, id: c.id }), undefined);
  });

  test(`${name}: recipients are prepared, submitted, refused and deferred; stats join the messages`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { campaigns } = b.stores;
    const c = await campaigns.createCampaign({
      userId: b.shop.id,
      name: 'List',
      sender: 'Shop',
      text: 'Hello',
      templateId: null,
      audience: {
        groups: [],
        contacts: [],
        excludeGroups: [],
        numbers: ['447700900001', '447700900002', '447700900003', '447700900004'],
      },
      scheduleAt: null,
      timeZone: 'Europe/London',
      quietHours: { from: '21:00', to: '08:00' },
      ratePerSecond: 5,
      tags: ['promo'],
      sendWhatBalanceCovers: true,
      repeat: null,
    });
    assert.deepEqual(c.quietHours, { from: '21:00', to: '08:00' });
    assert.equal(c.ratePerSecond, 5);
    assert.equal(c.sendWhatBalanceCovers, true);
    await campaigns.resolveAudience({ userId: b.shop.id, campaignId: c.id, now: 1 });
    const rows = await campaigns.recipientPage({ campaignId: c.id, state: 'new', after: 0, limit: 10 });
    const ids = rows.map(() => newMessageId());
    await campaigns.prepareRecipients(
      c.id,
      [
        { id: rows[0].id, state: 'pending', messageId: ids[0], segments: 1, priceMicros: 10_000 },
        { id: rows[1].id, state: 'pending', messageId: ids[1], segments: 2, priceMicros: 20_000 },
        { id: rows[2].id, state: 'pending', messageId: ids[2], segments: 1, priceMicros: 10_000 },
        { id: rows[3].id, state: 'skipped', reason: 'missing_field:first_name' },
      ],
      2,
    );
    assert.deepEqual(await campaigns.pendingCost(c.id), { recipients: 3, parts: 4, costMicros: 40_000 });
    const pending = await campaigns.recipientPage({
      campaignId: c.id,
      state: 'pending',
      after: 0,
      limit: 10,
    });
    assert.deepEqual(
      pending.map((p) => p.messageId),
      ids.slice(0, 3),
    );
    // The first is accepted by the gateway (its message in the core table), the second
    // refused, the third deferred by quiet hours.
    await b.store.accept({
      id: ids[0],
      onceOnly: true,
      userId: b.shop.id,
      systemId: 'shop',
      source: 'Shop',
      destination: '447700900001',
      esmClass: 0,
      dataCoding: 0,
      body: Buffer.from('Hello'),
      registeredDelivery: 0,
      priority: 0,
      connectorId: 'c1',
      priceMicros: 10_000,
      meta: { segments: 1, campaign: String(c.id) },
    });
    await campaigns.recordOutcomes(
      c.id,
      [
        { id: rows[0].id, state: 'submitted', priceMicros: 10_000 },
        { id: rows[1].id, state: 'refused', reason: 'no_route' },
        { id: rows[2].id, state: 'pending', notBefore: 5_000 },
      ],
      3,
    );
    assert.deepEqual(await campaigns.pendingLeft(c.id), { pending: 1, nextAt: 5_000 });
    assert.deepEqual(
      await campaigns.recipientPage({
        campaignId: c.id,
        state: 'pending',
        after: 0,
        limit: 10,
        dueBy: 4_999,
      }),
      [],
    );
    assert.equal(
      (
        await campaigns.recipientPage({
          campaignId: c.id,
          state: 'pending',
          after: 0,
          limit: 10,
          dueBy: 5_000,
        })
      ).length,
      1,
    );
    const stats = await campaigns.stats({ userId: b.shop.id, id: c.id });
    assert.deepEqual(stats, {
      recipients: 4,
      skipped: { 'missing_field:first_name': 1 },
      refused: { no_route: 1 },
      pending: 1,
      queued: 1,
      sent: 0,
      delivered: 0,
      failed: 0,
      expired: 0,
      costMicros: 10_000,
      parts: 1,
      replies: 0,
      optOuts: 0,
    });
    const list = await campaigns.recipientStatuses({ userId: b.shop.id, id: c.id, after: 0, limit: 2 });
    assert.deepEqual(
      list.map((x) => [x.msisdn, x.state, x.reason, x.messageId, x.messageState]),
      [
        ['447700900001', 'submitted', null, ids[0], 'queued'],
        ['447700900002', 'refused', 'no_route', null, null],
      ],
    );
    assert.deepEqual(
      await campaigns.recipientStatuses({ userId: b.other.id, id: c.id, after: 0, limit: 2 }),
      [],
    );
    assert.equal(await campaigns.skipPending(c.id, 'canceled', 4), 1);
    assert.deepEqual(await campaigns.pendingLeft(c.id), { pending: 0, nextAt: null });
  });

  test(`${name}: states move by compare and set; due campaigns; one lease holder`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { campaigns } = b.stores;
    const base: NewCampaign = {
      userId: b.shop.id,
      name: 'S',
      sender: 'Shop',
      text: 'x',
      templateId: null,
      audience: { groups: [], contacts: [], excludeGroups: [], numbers: ['447700900001'] },
      scheduleAt: 10_000,
      timeZone: null,
      quietHours: null,
      ratePerSecond: null,
      tags: [],
      sendWhatBalanceCovers: false,
      repeat: null,
    };
    const s = await campaigns.createCampaign(base);
    const r = await campaigns.createCampaign({ ...base, scheduleAt: null });
    assert.equal(
      await campaigns.transition({ userId: b.shop.id, id: s.id, from: ['running'], to: 'paused', now: 1 }),
      undefined,
    );
    assert.equal(
      await campaigns.transition({ userId: b.other.id, id: s.id, from: ['draft'], to: 'scheduled', now: 1 }),
      undefined,
    );
    assert.equal(
      (await campaigns.transition({ userId: b.shop.id, id: s.id, from: ['draft'], to: 'scheduled', now: 1 }))
        ?.state,
      'scheduled',
    );
    const running = await campaigns.transition({
      userId: b.shop.id,
      id: r.id,
      from: ['draft'],
      to: 'running',
      text: 'copied',
      estimate: { recipients: 1, parts: 1, costMicros: 10, worst: null, typical: null },
      now: 5,
    });
    assert.equal(running?.startedAt, 5);
    assert.equal(running?.text, 'copied');
    assert.equal(running?.estimate?.costMicros, 10);
    assert.deepEqual(
      (await campaigns.dueCampaigns({ now: 9_999, limit: 10 })).map((d) => d.id),
      [r.id],
    );
    assert.deepEqual(
      (await campaigns.dueCampaigns({ now: 10_000, limit: 10 })).map((d) => d.id),
      [s.id, r.id],
    );
    assert.equal(await campaigns.claimLease({ id: r.id, owner: 'a', until: 1_000, now: 0 }), true);
    assert.equal(await campaigns.claimLease({ id: r.id, owner: 'a', until: 2_000, now: 500 }), true);
    if (name === 'postgres') {
      // Several nodes: another owner waits for the lease to expire; a running campaign under
      // a live lease is not due.
      assert.equal(await campaigns.claimLease({ id: r.id, owner: 'b', until: 3_000, now: 1_000 }), false);
      assert.deepEqual(
        (await campaigns.dueCampaigns({ now: 1_000, limit: 10 })).map((d) => d.id),
        [],
      );
      assert.equal(await campaigns.claimLease({ id: r.id, owner: 'b', until: 4_000, now: 2_001 }), true);
      await campaigns.releaseLease({ id: r.id, owner: 'a' }); // not a's any more: no effect
      assert.equal(await campaigns.claimLease({ id: r.id, owner: 'a', until: 5_000, now: 3_000 }), false);
    }
    const ended = await campaigns.transition({
      userId: b.shop.id,
      id: r.id,
      from: ['running'],
      to: 'completed',
      now: 9,
    });
    assert.equal(ended?.finishedAt, 9);
    assert.equal(ended?.leaseOwner, null);
    const listed = await campaigns.listCampaigns({ userId: b.shop.id, limit: 10 });
    assert.deepEqual(
      listed.map((c) => c.id),
      [r.id, s.id],
    );
    assert.deepEqual(
      (await campaigns.listCampaigns({ userId: b.shop.id, limit: 10, state: 'scheduled' })).map((c) => c.id),
      [s.id],
    );
    assert.deepEqual(
      (await campaigns.listCampaigns({ userId: b.shop.id, limit: 10, before: r.id })).map((c) => c.id),
      [s.id],
    );
    assert.deepEqual(await campaigns.listCampaigns({ userId: b.other.id, limit: 10 }), []);
  });

  test(`${name}: a completed repeated campaign gets its next occurrence once`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { campaigns } = b.stores;
    const c = await campaigns.createCampaign({
      userId: b.shop.id,
      name: 'Daily',
      sender: 'Shop',
      text: 'Good morning',
      templateId: null,
      audience: { groups: [], contacts: [], excludeGroups: [], numbers: ['447700900001'] },
      scheduleAt: 1_000,
      timeZone: 'Europe/London',
      quietHours: null,
      ratePerSecond: null,
      tags: ['t'],
      sendWhatBalanceCovers: false,
      repeat: { every: 'day', times: 2 },
    });
    assert.deepEqual([c.repeat, c.occurrence, c.nextId], [{ every: 'day', times: 2 }, 1, null]);
    assert.deepEqual(await campaigns.repeatsDue({ limit: 10 }), [], 'not before it completes');
    await campaigns.transition({ userId: b.shop.id, id: c.id, from: ['draft'], to: 'running', now: 2 });
    await campaigns.transition({ userId: b.shop.id, id: c.id, from: ['running'], to: 'completed', now: 3 });
    assert.deepEqual(
      (await campaigns.repeatsDue({ limit: 10 })).map((x) => x.id),
      [c.id],
    );
    const next = await campaigns.createNext({ id: c.id, scheduleAt: 86_401_000, now: 4 });
    assert.deepEqual(
      [next?.state, next?.occurrence, next?.scheduleAt, next?.text, next?.tags, next?.audience.numbers],
      ['scheduled', 2, 86_401_000, 'Good morning', ['t'], ['447700900001']],
    );
    assert.equal(await campaigns.createNext({ id: c.id, scheduleAt: 5, now: 5 }), undefined, 'once');
    assert.equal((await campaigns.getCampaign({ userId: b.shop.id, id: c.id }))?.nextId, next?.id);
    assert.deepEqual(await campaigns.repeatsDue({ limit: 10 }), []);
    // The second of two times completes: the series ends.
    await campaigns.transition({
      userId: b.shop.id,
      id: next!.id,
      from: ['scheduled'],
      to: 'running',
      now: 6,
    });
    await campaigns.transition({
      userId: b.shop.id,
      id: next!.id,
      from: ['running'],
      to: 'completed',
      now: 7,
    });
    assert.deepEqual(await campaigns.repeatsDue({ limit: 10 }), []);
  });
}

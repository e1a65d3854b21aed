// Keyword matching and reply placeholders (pure): case, white space, aliases, the
// subscription verbs, the receiving number's own services before any-number ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchKeyword, renderReply, unknownPlaceholders } from '../../src/engine/index.js';
import type { KeywordService } from '../../src/store/engine-store/index.js';

let nextId = 1;
const svc = (over: Partial<KeywordService>): KeywordService => ({
  id: nextId++,
  userId: 1,
  number: '12345',
  keyword: 'X',
  aliases: [],
  kind: 'reply',
  settings: { reply: 'r' },
  enabled: true,
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

const news = svc({ keyword: 'NEWS', aliases: ['NOUVELLES'], kind: 'subscribe', settings: { groupId: 7 } });
const vote = svc({ keyword: 'VOTE', kind: 'poll', settings: { options: ['A', 'B'] } });
const hours = svc({ keyword: 'HOURS', aliases: ['OPEN', 'ÖFFNUNG'] });
const anyHours = svc({ keyword: 'HOURS', number: '' });
const all = [anyHours, news, vote, hours];

const m = (text: string) => {
  const r = matchKeyword(text, all);
  return r && [r.service.id, r.action, r.args.join(' ')];
};

test('the keyword is the first word, in any case, white space collapsed', () => {
  assert.deepEqual(m('hours'), [hours.id, 'run', '']);
  assert.deepEqual(m('  HoUrS  \t please '), [hours.id, 'run', 'PLEASE']);
  assert.deepEqual(m('Hours\ntoday'), [hours.id, 'run', 'TODAY']);
  assert.equal(m('hours?'), undefined, 'punctuation is part of the word');
  assert.equal(m('what are your hours'), undefined, 'only the first word');
  assert.equal(m(''), undefined);
  assert.equal(m('   '), undefined);
});

test('aliases trigger their service, letters beyond ASCII included', () => {
  assert.deepEqual(m('open'), [hours.id, 'run', '']);
  assert.deepEqual(m('öffnung'), [hours.id, 'run', '']);
  assert.deepEqual(m('nouvelles'), [news.id, 'join', '']);
});

test("the receiving number's own service wins over an any-number one, whatever the order given", () => {
  assert.equal(matchKeyword('HOURS', [anyHours, hours])?.service.id, hours.id);
  assert.equal(matchKeyword('HOURS', [hours, anyHours])?.service.id, hours.id);
  assert.equal(matchKeyword('HOURS', [anyHours])?.service.id, anyHours.id);
});

test('subscriptions: JOIN <kw>, LEAVE <kw>, <kw> alone, <kw> LEAVE', () => {
  assert.deepEqual(m('JOIN NEWS'), [news.id, 'join', '']);
  assert.deepEqual(m('join  nouvelles now'), [news.id, 'join', 'NOW']);
  assert.deepEqual(m('leave news'), [news.id, 'leave', '']);
  assert.deepEqual(m('NEWS'), [news.id, 'join', '']);
  assert.deepEqual(m('news leave'), [news.id, 'leave', '']);
  assert.equal(m('JOIN'), undefined);
  assert.equal(m('JOIN VOTE'), undefined, 'JOIN only names a subscription');
  assert.equal(m('LEAVE SPORTS'), undefined);
});

test('a poll gets its answer as the first argument', () => {
  assert.deepEqual(m('vote a'), [vote.id, 'run', 'A']);
  assert.deepEqual(m('VOTE'), [vote.id, 'run', '']);
});

test('reply placeholders: filled, fallbacks for empty values, unknown ones found', () => {
  const text = 'Hi {{first_name|there}} {{ last_name }}, you voted {{answer}} ({{options}})';
  assert.equal(
    renderReply(text, { first_name: null, last_name: 'Li', answer: 'A', options: 'A, B' }),
    'Hi there Li, you voted A (A, B)',
  );
  assert.equal(renderReply('{{first_name|}}!', { first_name: '' }), '!');
  assert.deepEqual(unknownPlaceholders('{{first_name}} {{coupon}} {{custom_code|x}}'), [
    'coupon',
    'custom_code',
  ]);
  assert.deepEqual(unknownPlaceholders('no placeholders { here }'), []);
});

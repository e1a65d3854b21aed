import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_OPT_OUT, OptOutRules, keywordOf } from '../../src/domain/index.js';

test('opt-out keywords: the whole text, any case, runs of spaces as one; per receiving number (with or without +), the common policy elsewhere', () => {
  assert.equal(keywordOf('  stop \t all \n'), 'STOP ALL');
  const rules = new OptOutRules({
    ...DEFAULT_OPT_OUT,
    numbers: {
      '777': { keywords: { stop: ['ARRET'] }, replies: { help: null }, account: 'fr' },
      '+447700900999': { replies: { stop: 'Bye.' } },
    },
  });
  assert.equal(rules.match('12345', 'Stop'), 'stop');
  assert.equal(rules.match('12345', 'stop  all'), 'stop');
  assert.equal(rules.match('12345', 'please stop'), undefined, 'a keyword is the whole text');
  assert.equal(rules.match('12345', 'info'), 'help');
  assert.equal(rules.match('12345', 'yes'), 'start');
  assert.equal(rules.match('777', 'STOP'), undefined, '777 has its own stop words');
  assert.equal(rules.match('777', 'arrêt'.normalize('NFD').replace(/\p{M}/gu, '')), 'stop');
  assert.equal(rules.match('777', 'HELP'), 'help', 'the lists it leaves out are the common ones');
  assert.equal(rules.policy('777').replies.help, null);
  assert.equal(rules.policy('777').replies.stop, DEFAULT_OPT_OUT.replies.stop);
  assert.equal(rules.policy('777').account, 'fr');
  assert.equal(rules.policy('447700900999').replies.stop, 'Bye.', 'found without its +');
  assert.equal(rules.policy('12345').account, undefined, 'no account: the MO’s customer');
});

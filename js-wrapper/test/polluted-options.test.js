// createTessera reads only the options it is given: on a page whose
// Object.prototype was polluted (a query string parser's __proto__ bug,
// ?__proto__[consentPolicy][mode]=opt-out), an inherited consentPolicy,
// artifact or endpoint would otherwise be taken as the site's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera } from '../src/index.js';
import { artifact, FakeServer, pageOptions } from './helpers.js';

test('options inherited from a polluted prototype are not options', async () => {
  const { artifact: _, ...options } = pageOptions();
  const polluted = {
    consentPolicy: { mode: 'opt-out', policyVersion: 'polluted' },
    artifact: { ...artifact, version: 'polluted' },
    artifactUrl: 'https://attacker.example/artifact.json',
  };
  Object.assign(Object.prototype, polluted);
  try {
    const t = await createTessera(options);
    assert.equal(t.consent.get().analytics, false, 'no consent from an inherited policy');
    assert.equal(t.decide('hero').ok, false, 'no inherited artifact');
    t.destroy();
  } finally {
    for (const key of Object.keys(polluted)) delete Object.prototype[key];
  }
});

test("an artifact's signal settings are its own: a polluted endpoint does not take the signals", async () => {
  const server = new FakeServer();
  Object.prototype.endpoint = 'https://attacker.example/collect';
  Object.prototype.flushIntervalMs = 1;
  let t;
  try {
    t = await createTessera(pageOptions({ server, flushIntervalMs: undefined }));
    assert.equal(t.flushIntervalMs(), 300_000, 'the default flush interval, not an inherited one');
    t.consent.set({ analytics: true });
    t.page();
    await t.flush();
    assert.deepEqual(server.requests.map((r) => r.url), ['https://collect.example/v1/signals?key=wk_test']);
  } finally {
    t?.destroy();
    delete Object.prototype.endpoint;
    delete Object.prototype.flushIntervalMs;
  }
});

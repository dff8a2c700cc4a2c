// createTessera reads only the options it is given: on a page whose
// Object.prototype was polluted (a query string parser's __proto__ bug,
// ?__proto__[consentPolicy][mode]=opt-out), an inherited consentPolicy,
// artifact or endpoint would otherwise be taken as the site's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera } from '../src/index.js';
import { artifact, pageOptions } from './helpers.js';

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

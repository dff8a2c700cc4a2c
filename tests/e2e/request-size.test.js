// Every request the SDK sends stays under 60 KB (keepalive and sendBeacon
// refuse more): a flush with far more to say than fits in one signal goes
// out as several requests, each under the limit, all accepted.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { env, openBrowser, repoRoot, signalsOf, snippetPage, visitor, writePage } from './helpers.js';

const LIMIT = 60 * 1024;
const SLOTS = 32;     // the signal's caps: 32 slots, 16 variants per slot
const VARIANTS = 16;
const long = (prefix, i) => `${prefix}${String(i).padStart(2, '0')}-${'x'.repeat(100)}`;

// The published example with slots whose variant follows traits.r: each
// round of identify() + render() shows (and counts) another variant.
async function bigArtifact() {
  const artifact = JSON.parse(await readFile(join(repoRoot, 'docs', 'examples', 'artifact.json'), 'utf8'));
  artifact.version = 'e2e-request-size';
  artifact.experiments = [];
  artifact.slots = Array.from({ length: SLOTS }, (_, s) => ({
    id: long('slot', s),
    variants: Array.from({ length: VARIANTS }, (_, v) => ({
      id: long('variant', v), condition: { 'traits.r': v }, template: `<p>${v}</p>`,
    })),
  }));
  return artifact;
}

test('a flush too big for one request goes out as several, each under 60 KB', async () => {
  const browser = await openBrowser();
  try {
    const { context, page, log } = browser;
    const sizes = [];
    context.on('request', (request) => {
      if (new URL(request.url()).pathname === '/v1/signals') sizes.push(request.postDataBuffer()?.length ?? 0);
    });
    const artifact = await bigArtifact();
    const slots = artifact.slots.map((slot) => `<div data-tessera-slot="${slot.id}"></div>`).join('\n');
    const path = await writePage('request-size.html', await snippetPage({ artifact }, `${slots}
<script>tessera.consent({ analytics: true, personalization: true });</script>`));
    await page.goto(`${env.base}${path}`);
    const { id: vid } = await visitor(page);
    // Each variant of each slot shown and clicked: 2 x 32 x 16 counters,
    // with ids of over 100 bytes.
    await page.evaluate((rounds) => {
      const tessera = window.tessera.instance;
      for (let r = 0; r < rounds; r++) {
        tessera.identify('e2e-user', { r });
        tessera.render();
        document.querySelectorAll('[data-tessera-slot] p').forEach((p) => p.click());
      }
    }, VARIANTS);
    const flushed = await page.evaluate(() => window.tessera.flush());
    assert.deepEqual([flushed.failed, flushed.queued], [0, 0], JSON.stringify(flushed));
    assert.ok(sizes.length >= 3, `sent as ${sizes.length} request(s): ${sizes}`);
    assert.ok(sizes.every((size) => size > 0 && size < LIMIT), `request sizes: ${sizes}`);

    // The server has every counter, each in exactly one of the parts.
    const signals = await signalsOf(vid);
    const counters = (section) => signals.flatMap((s) =>
        Object.entries(s[section] ?? {}).flatMap(([slot, byVariant]) =>
            Object.keys(byVariant).map((variant) => `${slot}/${variant}`)));
    for (const section of ['imp', 'clk']) {
      const seen = counters(section);
      assert.equal(seen.length, SLOTS * VARIANTS, `${section}: ${seen.length} counters`);
      assert.equal(new Set(seen).size, seen.length, `${section}: no counter twice`);
    }
    const problems = log.console.filter((m) => m.type === 'error' || m.type === 'pageerror');
    assert.deepEqual(problems, [], 'no errors in the console');
  } finally {
    await browser.close();
  }
});

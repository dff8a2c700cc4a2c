// The SDK as a plain ES module in a browser: a page maps the package name
// with an import map and imports it, with no bundler and no snippet.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminGet, env, openBrowser } from './helpers.js';

function modulePage(writeKey) {
  return `<!doctype html>
<html><head><meta charset="utf-8">
<script type="importmap">{"imports": {"tessera-sdk": "/sdk/dist/tessera.js"}}</script>
</head><body>
<section id="hero" data-tessera-slot="hero"><h2>Default</h2></section>
<script type="module">
  import { createTessera, loadCore } from 'tessera-sdk';
  const tessera = await createTessera({
    site: 'demo', endpoint: location.origin, writeKey: ${JSON.stringify(writeKey)},
    artifactUrl: '/v1/artifact/demo',
  });
  tessera.consent.set({ analytics: true, personalization: true });
  const artifact = await new Promise((resolve) => tessera.on('artifact', resolve));
  tessera.track('purchase_complete', { value: 42.5, currency: 'EUR' });
  tessera.render();
  const core = await loadCore();
  const flushed = await tessera.flush();
  window.result = {
    disabled: tessera.disabled === true,
    artifact: artifact.version,
    id: tessera.attributes().id,
    segments: tessera.segments(),
    evalCondition: core.evalCondition({ n: 3 }, { n: { $gt: 2 } }),
    flushed,
  };
</script>
</body></html>`;
}

test("a page imports 'tessera-sdk' through an import map: it decides, fills and sends", async () => {
  const browser = await openBrowser();
  try {
    const { page, log } = browser;
    await page.route((url) => url.pathname === '/module.html', (route) => route.fulfill({
      status: 200, contentType: 'text/html; charset=utf-8', body: modulePage(env.writeKey),
    }));
    await page.goto(`${env.base}/module.html`);
    await page.waitForFunction(() => window.result !== undefined, null, { timeout: 10000 });
    const result = await page.evaluate(() => window.result);
    assert.equal(result.disabled, false);
    assert.equal(result.evalCondition, true);
    assert.ok(result.segments.includes('recent-buyers'), `segments: ${result.segments}`);
    assert.ok(result.flushed.sent >= 1, JSON.stringify(result.flushed));
    await page.waitForFunction(() => document.getElementById('hero')?.hasAttribute('data-tessera-variant'));

    // The bundle and the files it names, never the readable sources.
    const sdkPaths = log.requests.map((url) => new URL(url).pathname).filter((p) => p.startsWith('/sdk/'));
    assert.ok(sdkPaths.includes('/sdk/dist/tessera.js'), sdkPaths.join(' '));
    assert.ok(sdkPaths.some((p) => p.endsWith('.wasm')), sdkPaths.join(' '));
    assert.ok(sdkPaths.every((p) => p.startsWith('/sdk/dist/')), sdkPaths.join(' '));

    // The server has the purchase from this visitor.
    const profile = await adminGet(`/v1/admin/profiles/${encodeURIComponent(result.id)}`);
    assert.equal(profile.status, 200);
    const purchases = profile.body.signals
        .reduce((n, entry) => n + (entry.signal.agg?.purchase_complete?.n ?? 0), 0);
    assert.equal(purchases, 1, JSON.stringify(profile.body.signals));
    const problems = log.console.filter((m) => m.type === 'error' || m.type === 'pageerror');
    assert.deepEqual(problems, [], 'no errors in the console');
  } finally {
    await browser.close();
  }
});

// The back/forward cache: a page with the SDK that has sent a signal is
// left and come back to. Chromium restores it from the cache (the SDK adds
// no unload listener and holds no lock or connection that would prevent it),
// and the SDK counts the restored page as a page view.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { env, openBrowser, snippetPage, visitor, writePage } from './helpers.js';

const pageViews = (page) =>
  page.evaluate(() => window.tessera.instance.attributes().event?.page_view?.count_all ?? 0);

test('a page left and come back to is restored from the bfcache and counted as a page view', async () => {
  // Playwright turns the cache off by default; this test needs it.
  const browser = await openBrowser({ ignoreDefaultArgs: ['--disable-back-forward-cache'] });
  try {
    const { page, log } = browser;
    const path = await writePage('bfcache.html', await snippetPage({}, `<script>
  window.shows = [];
  addEventListener('pageshow', function (e) { window.shows.push(e.persisted); });
  tessera.consent({ analytics: true, personalization: true });
</script>`));
    const other = await writePage('bfcache-other.html', '<!doctype html><link rel="icon" href="data:,"><title>other</title><p>other page</p>');
    await page.goto(`${env.base}${path}`);
    await visitor(page);
    assert.equal(await pageViews(page), 1);
    await page.evaluate(() => window.tessera.track('add_to_cart', { value: 5 }));
    const flushed = await page.evaluate(() => window.tessera.flush());
    assert.ok(flushed.sent >= 1, JSON.stringify(flushed));

    await page.goto(`${env.base}${other}`);
    // A page restored from the cache fires no load event.
    await page.goBack({ waitUntil: 'commit' });
    // A page loaded again instead has only its own first pageshow.
    await page.waitForFunction(() => window.shows?.length === 2, null, { timeout: 5000 })
        .catch(() => {});
    const navigation = await page.evaluate(() => {
      const entry = performance.getEntriesByType('navigation')[0];
      return { notRestoredReasons: entry.notRestoredReasons ?? null };
    });
    assert.deepEqual(await page.evaluate(() => window.shows), [false, true],
        `restored from the bfcache (pageshow persisted); ${JSON.stringify(navigation)}`);
    assert.equal(await pageViews(page), 2, 'the restored page is a page view');

    // The restored page goes on tracking and sending.
    await page.evaluate(() => window.tessera.track('add_to_cart', { value: 7 }));
    const again = await page.evaluate(() => window.tessera.flush());
    assert.ok(again.sent >= 1 && again.queued === 0, JSON.stringify(again));
    const problems = log.console.filter((m) => m.type === 'error' || m.type === 'pageerror');
    assert.deepEqual(problems, [], 'no errors in the console');
  } finally {
    await browser.close();
  }
});

// A single-page app in a real browser: history.pushState to another URL is
// a page view, as is going back to one (popstate); replaceState and changes
// of the fragment alone are not. The server gets the same count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { env, eventCount, openBrowser, signalsOf, snippetPage, visitor, writePage } from './helpers.js';

const pageViews = (page) =>
  page.evaluate(() => window.tessera.instance.attributes().event?.page_view?.count_all ?? 0);

test('SPA: one page view per pushState and back, none for replaceState or a fragment', async () => {
  const browser = await openBrowser();
  try {
    const { page, log } = browser;
    const path = await writePage('spa.html', await snippetPage({}, `<a id="anchor" href="#reviews">Reviews</a>
<p id="reviews">...</p>
<script>tessera.consent({ analytics: true, personalization: true });</script>`));
    await page.goto(`${env.base}${path}`);
    const { id: vid } = await visitor(page);
    assert.equal(await pageViews(page), 1, 'the load');

    await page.evaluate(() => history.pushState({}, '', '/e2e/spa/products'));
    assert.equal(await pageViews(page), 2, 'pushState');
    await page.evaluate(() => history.pushState({}, '', '/e2e/spa/products/42'));
    assert.equal(await pageViews(page), 3, 'a second pushState');
    await page.evaluate(() => history.replaceState({}, '', '/e2e/spa/products/42?sort=price'));
    assert.equal(await pageViews(page), 3, 'replaceState is no page view');
    await page.evaluate(() => history.pushState({}, '', '#details'));
    assert.equal(await pageViews(page), 3, 'a pushState of a fragment is no page view');
    await page.click('#anchor');
    await page.waitForFunction(() => location.hash === '#reviews');
    assert.equal(await pageViews(page), 3, 'following an in-page anchor is no page view');
    await page.evaluate(() => { location.hash = 'top'; });
    await page.waitForFunction(() => location.hash === '#top');
    assert.equal(await pageViews(page), 3, 'setting location.hash is no page view');

    // Back through the fragments (no page views), then to /products (one).
    await page.evaluate(() => new Promise((resolve) => {
      let left = 4;
      addEventListener('popstate', function back() {
        if (--left > 0) return history.back();
        removeEventListener('popstate', back);
        resolve();
      });
      history.back();
    }));
    assert.equal(await page.evaluate(() => location.pathname + location.search + location.hash),
        '/e2e/spa/products');
    assert.equal(await pageViews(page), 4, 'back to another page is a page view');

    const flushed = await page.evaluate(() => window.tessera.flush());
    assert.ok(flushed.sent >= 1 && flushed.queued === 0, JSON.stringify(flushed));
    assert.equal(eventCount(await signalsOf(vid), 'page_view'), 4, 'the server counts the same');
    assert.deepEqual(log.console.filter((m) => m.type === 'error' || m.type === 'pageerror'), []);
  } finally {
    await browser.close();
  }
});

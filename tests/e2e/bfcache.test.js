// The back/forward cache: a page with the SDK that has sent a signal is
// left and come back to. Chromium restores it from the cache (the SDK adds
// no unload listener and holds no lock or connection that would prevent it),
// and the SDK counts the restored page as a page view.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  env, openBrowser, signalsOf, snippetPage, tesseraStorageKeys, visitor, writePage,
} from './helpers.js';

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

// While a page sits in the cache, another page of the site may withdraw
// consent or erase everything (forget()). Chromium delivers the storage
// events it held back only after pageshow: the page view counted for the
// restored page must not write back what the visitor withdrew or erased.
describe('a page restored from the bfcache after the visitor changed their mind elsewhere', () => {
  let browser;
  before(async () => { browser = await openBrowser({ ignoreDefaultArgs: ['--disable-back-forward-cache'] }); });
  after(async () => { await browser?.close(); });

  // Consents on `first`, goes to `second`, does `act` there, comes back.
  async function leaveActAndReturn(name, act) {
    const { page } = browser;
    const first = await writePage(`${name}-1.html`, await snippetPage({}, `<script>
  window.shows = [];
  addEventListener('pageshow', function (e) { window.shows.push(e.persisted); });
  tessera.consent({ analytics: true, personalization: true });
</script>`));
    const second = await writePage(`${name}-2.html`, await snippetPage({}));
    await page.goto(`${env.base}${first}`);
    const { id: vid } = await visitor(page);
    await page.evaluate(() => window.tessera.track('add_to_cart', { value: 5 }));
    await page.goto(`${env.base}${second}`);
    await visitor(page);
    await page.evaluate(act);
    await page.goBack({ waitUntil: 'commit' });
    await page.waitForFunction(() => window.shows?.length === 2, null, { timeout: 5000 }).catch(() => {});
    assert.deepEqual(await page.evaluate(() => window.shows), [false, true], 'restored from the bfcache');
    // Past the storage events the browser held back.
    await page.waitForTimeout(300);
    return vid;
  }

  test('consent withdrawn on another page: nothing is stored again, nothing sent', async () => {
    const { page } = browser;
    const vid = await leaveActAndReturn('bfcache-withdraw',
        () => window.tessera.consent({ analytics: false, personalization: false }));
    const signalsBefore = (await signalsOf(vid)).length;
    assert.equal((await page.evaluate(() => window.tessera.instance.consent.get())).analytics, false);
    assert.deepEqual(await tesseraStorageKeys(page), ['tessera:demo:consent']);
    assert.deepEqual(await page.evaluate(() => window.tessera.flush()), { sent: 0, failed: 0, queued: 0 });
    assert.equal((await signalsOf(vid)).length, signalsBefore, 'no signal after the withdrawal');
  });

  test('forget() on another page: the erased profile is not written back', async () => {
    const { page } = browser;
    await page.evaluate(() => localStorage.clear());
    const vid = await leaveActAndReturn('bfcache-forget', () => window.tessera.forget());
    assert.notEqual((await visitor(page)).id, vid, 'a new visitor on the restored page');
    // A page loaded next starts from what is stored: not the erased visitor.
    await page.goto(`${env.base}/e2e/bfcache-forget-2.html`);
    const next = await visitor(page);
    assert.notEqual(next.id, vid, 'the erased visitor is not restored');
    assert.equal(await page.evaluate(
        () => window.tessera.instance.attributes().event?.add_to_cart?.count_all ?? 0), 0,
        'nor their events');
  });
});

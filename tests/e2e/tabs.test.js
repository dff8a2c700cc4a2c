// Two tabs of the demo store in one Chromium profile: a consent choice or an
// erasure made in one applies in the other at once (through the browser's
// storage event), so the other tab neither sends nor writes back what the
// visitor withdrew or erased.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { env, openBrowser, signalRequests, tesseraStorageKeys, visitor } from './helpers.js';

const pageViews = (page) =>
  page.evaluate(() => window.tessera.instance.attributes().event?.page_view?.count_all ?? 0);

// Chromium hands a localStorage write to other renderer processes
// asynchronously, so a tab may read the profile a few milliseconds before
// another tab's write reaches it. Wait for the write, as any action a person
// takes in another tab would.
const seesProfileOf = async (reader, writer) => {
  const stamp = await writer.evaluate(() => localStorage.getItem('tessera:demo:profile-stamp'));
  await reader.waitForFunction(
      (expected) => localStorage.getItem('tessera:demo:profile-stamp') === expected, stamp);
};

test('two tabs: consent and forget() in one apply in the other at once', async () => {
  const browser = await openBrowser();
  try {
    const { context, page: first, log } = browser;
    const second = await context.newPage();
    await first.goto(`${env.base}/`);
    await second.goto(`${env.base}/`);
    await visitor(first);
    assert.equal((await visitor(second)).consent.analytics, false);

    await first.evaluate(() => window.tessera.consent({ analytics: true, personalization: true }));
    await second.waitForFunction(() => window.tessera.instance.consent.get().analytics === true);
    await first.evaluate(() => window.tessera.page());
    await seesProfileOf(second, first);
    await second.evaluate(() => window.tessera.page());
    assert.equal(await pageViews(second), 2, 'both tabs count into one profile');
    const before = (await visitor(second)).id;

    // Erase everything from the first tab: the second forgets too, and its
    // next page view starts the new profile instead of restoring the old one.
    await second.evaluate(() => {
      window.forgotten = false;
      window.tessera.on('forget', () => { window.forgotten = true; });
    });
    await first.evaluate(() => window.tessera.forget());
    await second.waitForFunction(() => window.forgotten === true);
    await second.evaluate(() => window.tessera.page());
    await seesProfileOf(first, second);
    assert.equal(await pageViews(first), 1, 'the first tab sees only the page view after the erasure');
    assert.notEqual((await visitor(second)).id, before);

    // Withdraw from the second tab: the first stops storing and sending.
    await second.evaluate(() => window.tessera.consent({ analytics: false, personalization: false }));
    await first.waitForFunction(() => window.tessera.instance.consent.get().analytics === false);
    const signalsBefore = signalRequests(log).length;
    await first.evaluate(() => window.tessera.page());
    assert.deepEqual(await first.evaluate(() => window.tessera.flush()), { sent: 0, failed: 0, queued: 0 });
    assert.deepEqual(await tesseraStorageKeys(first), ['tessera:demo:consent']);
    assert.equal(signalRequests(log).length, signalsBefore, 'no signal after the withdrawal');
  } finally {
    await browser.close();
  }
});

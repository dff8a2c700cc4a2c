// Delivery in a real browser: signals queued while offline go out once the
// network is back, each once; a purchase tracked just before the page is
// left or closed still reaches the server (sent with keepalive on hide).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  env, eventCount, openBrowser, signalsOf, snippetPage, visitor, waitForSignals, writePage,
} from './helpers.js';

const consentingPage = async (name, script = '') => writePage(name, await snippetPage({}, `<script>
  tessera.consent({ analytics: true, personalization: true });
  ${script}
</script>`));

const pageErrors = (log) => log.console.filter((m) => m.type === 'pageerror');

test('offline: signals are queued, then delivered once each when the network is back', async () => {
  const browser = await openBrowser();
  try {
    const { context, page, log } = browser;
    let answered = 0;  // signal requests the server answered (not failed offline)
    context.on('response', (response) => {
      if (new URL(response.url()).pathname === '/v1/signals') answered += 1;
    });
    await page.goto(`${env.base}${await consentingPage('offline.html')}`);
    const { id: vid } = await visitor(page);

    await context.setOffline(true);
    await page.evaluate(() => window.tessera.track('add_to_cart', { value: 10 }));
    const first = await page.evaluate(() => window.tessera.flush());
    assert.equal(first.sent, 0, JSON.stringify(first));
    assert.equal(first.queued, 1, JSON.stringify(first));
    await page.evaluate(() => window.tessera.track('purchase_complete', { value: 10, currency: 'EUR' }));
    // Backing off from the failure: the second signal is queued behind the first.
    const second = await page.evaluate(() => window.tessera.flush());
    assert.equal(second.sent, 0, JSON.stringify(second));
    assert.equal(second.queued, 2, JSON.stringify(second));
    const queued = await page.evaluate(() => JSON.parse(localStorage.getItem('tessera:demo:queue')).map((e) => e.id));
    assert.equal(queued.length, 2, 'the queue is kept in storage');
    assert.deepEqual(await signalsOf(vid), [], 'nothing reached the server while offline');

    await context.setOffline(false);
    const signals = await waitForSignals(vid, (s) => s.length >= 2);
    assert.deepEqual(signals.map((s) => s.id).sort(), [...queued].sort(), 'each queued signal arrived, once');
    assert.equal(eventCount(signals, 'add_to_cart'), 1);
    assert.equal(eventCount(signals, 'purchase_complete'), 1);
    await page.waitForFunction(() => localStorage.getItem('tessera:demo:queue') === null);
    // Each sent once, and not again later (by a retry timer left behind).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(answered, 2, 'two signal requests answered');
    assert.deepEqual(pageErrors(log), []);
  } finally {
    await browser.close();
  }
});

// The purchase is tracked and the page left in the same task, as a store's
// "place order" handler that moves on to its thank-you page does.
test('a purchase tracked as the page is left reaches the server', async () => {
  const browser = await openBrowser();
  try {
    const { page, log } = browser;
    const thanks = await writePage('thanks.html', '<!doctype html><title>thanks</title><p>Thank you</p>');
    await page.goto(`${env.base}${await consentingPage('buy.html', `
  window.buy = function () {
    tessera.track('purchase_complete', { value: 99, currency: 'EUR' });
    location.href = ${JSON.stringify(thanks)};
  };`)}`);
    const { id: vid } = await visitor(page);
    await page.evaluate(() => window.buy());
    await page.waitForURL(`**${thanks}`);
    const signals = await waitForSignals(vid, (s) => eventCount(s, 'purchase_complete') === 1);
    assert.equal(eventCount(signals, 'purchase_complete'), 1, JSON.stringify(signals));
    assert.deepEqual(pageErrors(log), []);
  } finally {
    await browser.close();
  }
});

test('a purchase tracked just before the tab is closed reaches the server', async () => {
  const browser = await openBrowser();
  try {
    const { context } = browser;
    // A second tab keeps the browser open once the first is closed.
    await context.newPage();
    const page = context.pages()[0];
    await page.goto(`${env.base}${await consentingPage('close.html')}`);
    const { id: vid } = await visitor(page);
    await page.evaluate(() => window.tessera.track('purchase_complete', { value: 15, currency: 'EUR' }));
    await page.close();
    const signals = await waitForSignals(vid, (s) => eventCount(s, 'purchase_complete') === 1);
    assert.equal(eventCount(signals, 'purchase_complete'), 1, JSON.stringify(signals));
  } finally {
    await browser.close();
  }
});

// A page that is left cannot see its keepalive request answered, so its
// signal stays queued (marked as being sent, until the request timeout) and
// the next page sends it again (the server counts it once). That resend must
// not hold back the next page's own signal as that page is left in turn.
test('on the second page of a visit, a purchase tracked as it is left reaches the server', async () => {
  const browser = await openBrowser();
  try {
    const { page, log } = browser;
    // A short request timeout: the first page's mark lapses within the test.
    const options = { requestTimeoutMs: 1000 };
    const first = await writePage('visit-1.html', await snippetPage(options,
        '<script>tessera.consent({ analytics: true, personalization: true });</script>'));
    const second = await writePage('visit-2.html', await snippetPage(options));
    const thanks = await writePage('thanks.html', '<!doctype html><title>thanks</title><p>Thank you</p>');
    await page.goto(`${env.base}${first}`);
    const { id: vid } = await visitor(page);
    await page.evaluate(() => window.tessera.track('add_to_cart', { value: 20 }));
    await page.goto(`${env.base}${second}`);
    await visitor(page);
    await waitForSignals(vid, (s) => eventCount(s, 'add_to_cart') === 1);
    // Past the first page's mark, as a visitor reading the page would be.
    await page.waitForTimeout(1500);
    await page.evaluate(() => window.tessera.track('purchase_complete', { value: 20, currency: 'EUR' }));
    await page.goto(`${env.base}${thanks}`);
    const signals = await waitForSignals(vid, (s) => eventCount(s, 'purchase_complete') === 1, 50);
    assert.equal(eventCount(signals, 'add_to_cart'), 1, JSON.stringify(signals));
    assert.equal(eventCount(signals, 'purchase_complete'), 1, JSON.stringify(signals));
    assert.deepEqual(pageErrors(log), []);
  } finally {
    await browser.close();
  }
});

// sendBeacon's true only says the browser took the request: offline it goes
// nowhere. A tab sent to the background while offline must keep its signal
// queued and send it once the network is back.
test('a tab hidden while offline keeps its signal, and sends it once back online', async () => {
  const browser = await openBrowser();
  try {
    const { context, page, log } = browser;
    await page.goto(`${env.base}${await consentingPage('offline-hidden.html')}`);
    const { id: vid } = await visitor(page);
    await context.setOffline(true);
    await page.evaluate(() => window.tessera.track('purchase_complete', { value: 3, currency: 'EUR' }));
    // Headless Chromium keeps every tab visible: the page is hidden as a tab
    // switch would hide it; fetch and sendBeacon are the browser's own.
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    // The hidden page's attempt is over (no entry marked as being sent).
    await page.waitForFunction(() => JSON.parse(localStorage.getItem('tessera:demo:queue') ?? '[]')
        .every((entry) => entry.s === undefined));
    await page.evaluate(() => {
      delete document.visibilityState;
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await context.setOffline(false);
    const signals = await waitForSignals(vid, (s) => eventCount(s, 'purchase_complete') === 1, 50);
    assert.equal(eventCount(signals, 'purchase_complete'), 1, JSON.stringify(signals));
    assert.deepEqual(pageErrors(log), []);
  } finally {
    await browser.close();
  }
});

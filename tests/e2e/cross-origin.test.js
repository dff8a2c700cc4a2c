// The SDK on one origin (http://localhost:PORT) with its endpoint on another
// (http://127.0.0.1:PORT, the same server, which allows the first): the
// artifact and the signals cross origins, so CBOR signals (a Content-Type
// that is not CORS-safelisted) need the server's preflight answers, also for
// the request sent as the page goes away.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  env, eventCount, openBrowser, signalRequests, signalsOf, snippetPage, visitor, waitForSignals,
  writePage,
} from './helpers.js';

async function crossOriginPage(name) {
  return writePage(name, await snippetPage({
    endpoint: env.base, artifactUrl: `${env.base}/v1/artifact/demo`,
  }, `<section id="hero" data-tessera-slot="hero"><h2>Default</h2></section>
<script>
  tessera.on('artifact', function (a) { window.artifactVersion = a.version; });
  tessera.consent({ analytics: true, personalization: true });
</script>`));
}

const errorsIn = (log) => log.console.filter((m) => m.type === 'error' || m.type === 'pageerror');

// In a fresh browser (`prepare(browser)` first, so no preflight answer is
// cached yet), opens page `name` on the other origin, lets `leave(page, log)`
// track a purchase and leave, and checks the server has it once and the
// console no error.
async function purchaseArrivesOnceAfterLeaving(name, leave, prepare = async () => {}) {
  const browser = await openBrowser();
  try {
    await prepare(browser);
    const { page, log } = browser;
    await page.goto(`${env.otherOrigin}${await crossOriginPage(name)}`);
    const { id: vid } = await visitor(page);
    await leave(page, log);
    const signals = await waitForSignals(vid, (s) => eventCount(s, 'purchase_complete') === 1);
    assert.equal(eventCount(signals, 'purchase_complete'), 1, `signals: ${JSON.stringify(signals)}`);
    assert.deepEqual(errorsIn(log), [], 'no errors in the console');
  } finally {
    await browser.close();
  }
}

test('cross-origin: the artifact loads and is revalidated, and a flush reaches the server', async () => {
  const browser = await openBrowser();
  try {
    const { page, log } = browser;
    assert.notEqual(new URL(env.otherOrigin).origin, new URL(env.base).origin);
    await page.goto(`${env.otherOrigin}${await crossOriginPage('cross-origin.html')}`);
    const { id: vid } = await visitor(page);
    await page.waitForFunction(() => window.artifactVersion !== undefined, null, { timeout: 10000 });
    await page.waitForFunction(() => document.getElementById('hero').hasAttribute('data-tessera-variant'));
    // The artifact's ETag is readable across origins (kept to revalidate).
    assert.ok(await page.evaluate(() => localStorage.getItem('tessera:demo:artifact-etag')),
        'the ETag of a cross-origin artifact was kept');

    await page.evaluate(() => window.tessera.track('purchase_complete', { value: 30, currency: 'EUR' }));
    const flushed = await page.evaluate(() => window.tessera.flush());
    assert.ok(flushed.sent >= 1 && flushed.queued === 0, JSON.stringify(flushed));
    assert.ok(signalRequests(log).length > 0);
    assert.ok(signalRequests(log).every((url) => new URL(url).origin === env.base));
    assert.equal(eventCount(await signalsOf(vid), 'purchase_complete'), 1);

    // Once the stored copy is out of date, the next page revalidates it
    // (If-None-Match, a preflighted header) and keeps it on the 304.
    await page.evaluate(() => localStorage.setItem('tessera:demo:artifact-fresh-until', '1'));
    await page.reload();
    await visitor(page);
    await page.waitForFunction(
        () => Number(localStorage.getItem('tessera:demo:artifact-fresh-until')) > Date.now());
    assert.equal(log.responses.get(`${env.base}/v1/artifact/demo`)?.status, 304);
    assert.deepEqual(errorsIn(log), [], 'no errors in the console');
  } finally {
    await browser.close();
  }
});

// A fresh browser, so no preflight answer is cached yet: the one signal
// is sent while the page is being left.
test('cross-origin: the signal sent as the page is left reaches the server', async () => {
  await purchaseArrivesOnceAfterLeaving('cross-origin-leave.html', async (page, log) => {
    await page.evaluate(() => window.tessera.track('purchase_complete', { value: 12, currency: 'EUR' }));
    assert.deepEqual(signalRequests(log), [], 'nothing sent before the page is left');
    await page.goto('about:blank');
  });
});

// Where fetch refuses keepalive (older browsers refused it with a preflight;
// any browser refuses past its keepalive quota) the SDK falls back to
// sendBeacon, which sends cross-origin with credentials: a preflighted
// type is then refused by the browser unless the server allows
// credentials, and the beacon, already counted as sent, is lost.
test('cross-origin: the sendBeacon fallback, as the page is left, reaches the server', async () => {
  const refuseKeepalive = ({ context }) => context.addInitScript(() => {
    const original = window.fetch;
    window.fetch = function fetch(input, init) {
      if (init?.keepalive) return Promise.reject(new TypeError('keepalive refused (test)'));
      return original.apply(this, arguments);
    };
  });
  await purchaseArrivesOnceAfterLeaving('cross-origin-beacon.html', async (page) => {
    await page.evaluate(() => window.tessera.track('purchase_complete', { value: 8, currency: 'EUR' }));
    await page.goto('about:blank');
  }, refuseKeepalive);
});

// A store that flushes after the purchase (as the demo's checkout does) and
// is left at once: the flush's CBOR request waits for its preflight, and
// both are cancelled with the page, so the signal must go again, with
// keepalive, as the page is hidden.
test('cross-origin: a purchase flushed just before the page is left reaches the server', async () => {
  await purchaseArrivesOnceAfterLeaving('cross-origin-flush-leave.html', async (page) => {
    // Answers take a while (the preflight's too).
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 400, downloadThroughput: -1, uploadThroughput: -1,
    });
    await page.evaluate(() => {
      window.tessera.track('purchase_complete', { value: 64, currency: 'EUR' });
      window.tessera.flush();
      location.href = 'about:blank';
    });
    await page.waitForURL('about:blank');
  });
});

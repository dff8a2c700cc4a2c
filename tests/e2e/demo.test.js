// The demo store in a real browser: consent gating, personalization from the
// published artifact, signals reaching the server once, persistence across
// reloads, failing closed under a strict CSP, and no flicker.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  adminGet, apiRequests, env, inlineScriptHash, openBrowser, signalRequests,
  tesseraStorageKeys, visitor,
} from './helpers.js';

const hero = '#hero';

// The /sdk/ paths the server answered so far, from its access log.
async function sdkFilesServed() {
  const lines = (await readFile(env.accessLog, 'utf8')).split('\n');
  return lines.map((line) => line.split(' ')[2]).filter((path) => path?.startsWith('/sdk/'));
}

async function heroVariant(page) {
  return page.locator(hero).getAttribute('data-tessera-variant');
}

async function waitForHeroVariant(page, variant) {
  await page.waitForFunction(
      (wanted) => document.getElementById('hero')?.getAttribute('data-tessera-variant') === wanted,
      variant, { timeout: 10000 });
}

async function addToCart(page, productId) {
  await page.goto(`${env.base}/product.html?id=${productId}`);
  await page.click('#add-to-cart');
  await page.locator('#added').waitFor();
}

test('before consent: no request to the API and nothing stored by tessera', async () => {
  const browser = await openBrowser();
  try {
    const { page, log } = browser;
    await page.goto(`${env.base}/`);
    await page.locator('#consent-banner').waitFor();
    const before = await visitor(page);
    assert.equal(before.disabled, false, 'the SDK runs (WebAssembly allowed)');
    assert.deepEqual([before.consent.analytics, before.consent.personalization], [false, false]);

    // Browse and buy without answering the banner.
    await addToCart(page, 'trail-runner');
    await page.goto(`${env.base}/checkout.html`);
    await page.click('#place-order');
    await page.waitForFunction(() => document.body.dataset.lastFlush !== undefined);
    assert.deepEqual(JSON.parse(await page.evaluate(() => document.body.dataset.lastFlush)),
        { sent: 0, failed: 0, queued: 0 });
    await page.goto(`${env.base}/`);
    await visitor(page);
    // The default content is shown, undecorated.
    assert.match(await page.locator(hero).innerText(), /New season, new arrivals/);
    assert.equal(await heroVariant(page), null);

    assert.deepEqual(signalRequests(log), []);
    assert.deepEqual(apiRequests(log), [], 'not even the artifact is fetched before consent');
    // The SDK itself loaded first-party, as the build's versioned files
    // (named after their contents, cached for good) ...
    const sdkFiles = [...new Set(log.requests.map((url) => new URL(url).pathname)
        .filter((path) => path.startsWith('/sdk/')))];
    const versioned = sdkFiles.filter((path) => /^\/sdk\/dist\/tessera(_core)?\.[0-9a-f]{12}\.(m?js|wasm)$/.test(path));
    assert.deepEqual(sdkFiles.filter((path) => !versioned.includes(path)), ['/sdk/dist/boot.js']);
    assert.equal(versioned.length, 3, `versioned files: ${versioned}`);
    assert.equal(new Set(versioned.map((path) => path.split('.')[1])).size, 1, 'all of one build');
    // ... as the bundle, not the readable modules, and compressed, as its
    // size is measured (gzip or brotli).
    for (const path of versioned) {
      const response = log.responses.get(`${env.base}${path}`);
      assert.ok(['br', 'gzip'].includes(response?.encoding), `${path} came with Content-Encoding '${response?.encoding}'`);
      assert.equal(response.cacheControl, 'public, max-age=31536000, immutable', path);
    }
    assert.deepEqual(await tesseraStorageKeys(page), []);

    // "Only necessary": the choice is remembered, nothing else is kept or sent.
    await page.click('[data-consent-choice="necessary"]');
    await page.locator('#consent-banner').waitFor({ state: 'hidden' });
    const flushed = await page.evaluate(() => window.tessera.flush());
    assert.equal(flushed.sent, 0);
    assert.deepEqual(await tesseraStorageKeys(page), ['tessera:demo:consent']);
    assert.deepEqual(signalRequests(log), []);
  } finally {
    await browser.close();
  }
});

describe('a visitor who accepts everything', () => {
  let browser;
  let vid;
  // A visitor in India (UTC+5:30) with a French browser: the signals' hours
  // are local time, their context the browser's.
  before(async () => { browser = await openBrowser({ timezoneId: 'Asia/Kolkata', locale: 'fr-FR' }); });
  after(async () => { await browser?.close(); });

  // The signal's hour-of-week key (docs/signal.md) of the page's local now.
  const localHourOfWeek = (page) => page.evaluate(() => {
    const now = new Date();
    return String(((now.getDay() + 6) % 7) * 24 + now.getHours());
  });

  test('shopping personalizes the hero and one purchase reaches the server once', async () => {
    const { page, log } = browser;
    await page.goto(`${env.base}/`);
    const hoursAtStart = await localHourOfWeek(page);
    await page.click('[data-consent-choice="all"]');
    await waitForHeroVariant(page, 'standard');
    // The artifact came after consent, gzipped as the browser asked.
    assert.equal(log.responses.get(`${env.base}/v1/artifact/demo`)?.encoding, 'gzip');
    ({ id: vid } = await visitor(page));
    assert.match(vid, /\S{8,}/);

    // A newsletter subscriber who has not bought yet gets the welcome offer.
    await page.fill('#newsletter-form input[name=email]', 'someone@example.com');
    await page.click('#newsletter-form button');
    await waitForHeroVariant(page, 'welcome');
    assert.match(await page.locator(hero).innerText(), /WELCOME10/);
    assert.ok((await visitor(page)).segments.includes('new-subscriber'));

    await addToCart(page, 'trail-runner');
    await addToCart(page, 'rain-shell');
    await page.goto(`${env.base}/checkout.html`);
    assert.match(await page.locator('#cart-total').innerText(), /218\.00 EUR/);
    await page.click('#place-order');
    await page.waitForFunction(() => document.body.dataset.lastFlush !== undefined);
    const flushed = JSON.parse(await page.evaluate(() => document.body.dataset.lastFlush));
    assert.ok(flushed.sent >= 1, `the purchase was sent: ${JSON.stringify(flushed)}`);
    assert.ok(signalRequests(log).every((url) => new URL(url).origin === env.base));

    // Now a recent buyer: no longer a new subscriber, so the standard hero.
    await page.goto(`${env.base}/`);
    await waitForHeroVariant(page, 'standard');
    const after = await visitor(page);
    assert.ok(after.segments.includes('recent-buyers'), `segments: ${after.segments}`);
    assert.ok(!after.segments.includes('new-subscriber'));
    assert.equal(after.id, vid);

    // The store's backend knows this customer's predicted value: VIP hero.
    await page.click('[data-debug-action="vip"]');
    await waitForHeroVariant(page, 'vip');
    assert.match(await page.locator(hero).innerText(), /Exclusive VIP Discount/);
    assert.ok((await visitor(page)).segments.includes('high-value'));
    await page.waitForFunction(
        () => document.querySelector('#tessera-debug [data-debug="segments"]')?.textContent.includes('high-value'));
    await mkdir(env.out, { recursive: true });
    await page.screenshot({ path: join(env.out, 'landing.png'), fullPage: true });

    // The server has the purchase, once, as an aggregate (never the events).
    const profile = await adminGet(`/v1/admin/profiles/${encodeURIComponent(vid)}`);
    assert.equal(profile.status, 200);
    const signals = profile.body.signals.map((entry) => entry.signal);
    const purchases = signals.reduce((n, s) => n + (s.agg?.purchase_complete?.n ?? 0), 0);
    const carts = signals.reduce((n, s) => n + (s.agg?.add_to_cart?.n ?? 0), 0);
    assert.equal(purchases, 1, JSON.stringify(signals));
    assert.equal(carts, 2);
    const withPurchase = signals.find((s) => s.agg?.purchase_complete?.n === 1);
    assert.equal(withPurchase.agg.purchase_complete.sum, 218);
    assert.equal(withPurchase.site, 'demo');
    assert.ok(withPurchase.consent.granted.includes('analytics'));
    assert.ok(!JSON.stringify(signals).includes('someone@example.com'), 'no email in any signal');
    assert.deepEqual(withPurchase.ctx, { dev: 'desktop', lang: 'fr-FR' });
    const hourKeys = new Set(signals.flatMap((s) => Object.keys(s.hours ?? {})));
    const localHours = new Set([hoursAtStart, await localHourOfWeek(page)]);
    assert.ok(hourKeys.size > 0 && [...hourKeys].every((key) => localHours.has(key)),
        `hours ${[...hourKeys]} are local (${[...localHours]})`);

    // A resent signal counts once.
    const resent = await fetch(`${env.base}/v1/signals`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Tessera-Key': env.writeKey },
      body: JSON.stringify(withPurchase),
    });
    assert.equal(resent.status, 200);
    assert.equal((await resent.json()).status, 'duplicate');
    const again = await adminGet(`/v1/admin/profiles/${encodeURIComponent(vid)}`);
    assert.equal(again.body.signal_count, profile.body.signal_count);

    const problems = log.console.filter((m) => m.type === 'error' || m.type === 'pageerror');
    assert.deepEqual(problems, [], 'no errors in the console');
  });

  test('a reload keeps the profile, the consent and the decisions', async () => {
    const { page, log } = browser;
    const requestsBefore = log.requests.length;
    const served = await sdkFilesServed();
    await page.reload();
    await waitForHeroVariant(page, 'vip');
    const state = await visitor(page);
    assert.equal(state.id, vid);
    assert.ok(state.segments.includes('recent-buyers'));
    assert.ok(state.segments.includes('high-value'));
    assert.deepEqual([state.consent.analytics, state.consent.personalization, state.consent.marketing],
        [true, true, true], 'every purpose accepted is still granted');
    assert.equal(await page.locator('#consent-banner').isHidden(), true);
    const keys = await tesseraStorageKeys(page);
    assert.ok(keys.includes('tessera:demo:profile'), `keys: ${keys}`);
    // The SDK's versioned files came from the browser's cache: the server
    // answered none of them again (boot.js is revalidated after 5 minutes).
    assert.deepEqual((await sdkFilesServed()).slice(served.length).filter((path) => path !== '/sdk/dist/boot.js'), []);
    // The stored artifact decided the page, and within the server's max-age
    // (60 s) nothing asked the server again.
    assert.deepEqual(log.requests.slice(requestsBefore).filter((url) => url.endsWith('/v1/artifact/demo')), []);
    // The A/B banner is one of the experiment's variations (or the default
    // for the holdout) and stays the same across loads.
    const banner = await page.locator('#home-banner').getAttribute('data-tessera-variant');
    assert.ok(['free-shipping', 'bestsellers'].includes(banner), `banner: ${banner}`);
    await page.reload();
    await waitForHeroVariant(page, 'vip');
    assert.equal(await page.locator('#home-banner').getAttribute('data-tessera-variant'), banner);
  });

  test('a preview URL shows the variant a marketer names, and counts it nowhere', async () => {
    const { page, log } = browser;
    // Impressions of the welcome block the server holds for this visitor.
    const welcomeShown = async () => {
      const { body } = await adminGet(`/v1/admin/profiles/${encodeURIComponent(vid)}`);
      return body.signals.reduce((sum, s) => sum + (s.signal.imp?.hero?.welcome ?? 0), 0);
    };
    const before = await welcomeShown();
    await page.goto(`${env.base}/?tessera_preview=hero:welcome`);
    await waitForHeroVariant(page, 'welcome');  // not the visitor's VIP block
    assert.match(await page.locator(hero).innerText(), /WELCOME10/);
    assert.ok(log.console.some((m) => /previewing hero=welcome \(not counted\)/.test(m.text)),
        'the page says it is previewing');
    const flushed = await page.evaluate(() => window.tessera.flush());
    assert.ok(flushed.sent >= 1, 'the page view itself is sent');
    assert.equal(await welcomeShown(), before);
    await page.goto(`${env.base}/`);
    await waitForHeroVariant(page, 'vip');
  });

  test('no flicker: the hero stays hidden until decided, then shows the VIP block', async () => {
    const { context, page } = browser;
    // Every visible state of the hero, from the moment the parser adds it.
    await context.addInitScript(() => {
      window.__heroStates = [];
      const record = () => {
        const element = document.getElementById('hero');
        if (!element) return;
        const state = {
          visible: getComputedStyle(element).visibility === 'visible',
          variant: element.getAttribute('data-tessera-variant'),
          text: element.textContent.trim().slice(0, 40),
        };
        const last = window.__heroStates[window.__heroStates.length - 1];
        if (!last || JSON.stringify(last) !== JSON.stringify(state)) window.__heroStates.push(state);
      };
      new MutationObserver(record).observe(document, {
        subtree: true, childList: true, attributes: true, characterData: true,
      });
    });
    // Timers stand still, so the anti-flicker timeout cannot expire while
    // the SDK is loading, however slow this machine is.
    await context.clock.install();
    await context.clock.pauseAt(Date.now() + 1000);
    await page.goto(`${env.base}/`);
    await waitForHeroVariant(page, 'vip');
    const states = await page.evaluate(() => window.__heroStates);
    assert.equal(states[0].visible, false, `first state: ${JSON.stringify(states[0])}`);
    const shown = states.filter((s) => s.visible);
    assert.ok(shown.length >= 1, JSON.stringify(states));
    for (const state of shown) {
      assert.equal(state.variant, 'vip', `visible before decided: ${JSON.stringify(states)}`);
    }
    await context.clock.runFor(1000);  // the wait expires: nothing changes
    assert.equal(await heroVariant(page), 'vip');
  });
});

test('a page enforcing Trusted Types that allows the tessera policy is personalized', async () => {
  const browser = await openBrowser();
  try {
    const { page, log } = browser;
    const csp = "require-trusted-types-for 'script'; trusted-types tessera";
    await page.route((url) => url.pathname === '/' && url.searchParams.get('tt') === '1',
        async (route) => {
          const response = await route.fetch();
          await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': csp } });
        });
    await page.goto(`${env.base}/?tt=1`);
    await visitor(page);
    // The demo store's own pages build their banner with innerHTML, which
    // this policy refuses: consent goes through the SDK's API instead.
    await page.evaluate(() => window.tessera.consent({ analytics: true, personalization: true }));
    await page.waitForFunction(() => document.getElementById('hero')?.hasAttribute('data-tessera-variant'),
        null, { timeout: 10000 });
    // Filled through the policy (a refused fill leaves no variant behind).
    assert.equal(await heroVariant(page), 'standard');
    assert.deepEqual(log.console.filter((m) => m.text.includes('tessera')), []);
  } finally {
    await browser.close();
  }
});

test('a slot the page adds after load is filled before the next frame', async () => {
  const browser = await openBrowser();
  try {
    const { page } = browser;
    await page.goto(`${env.base}/`);
    await visitor(page);
    await page.evaluate(() => window.tessera.consent({ analytics: true, personalization: true }));
    await waitForHeroVariant(page, 'standard');
    // As a single-page app's next view would: a new element holding a slot.
    const added = await page.evaluate(async () => {
      const view = document.createElement('main');
      view.innerHTML = '<section data-tessera-slot="hero"><h2>Added default</h2></section>';
      document.body.append(view);
      await new Promise((resolve) => requestAnimationFrame(resolve));
      const slot = view.firstElementChild;
      return { ready: slot.hasAttribute('data-tessera-ready'), variant: slot.getAttribute('data-tessera-variant') };
    });
    assert.deepEqual(added, { ready: true, variant: 'standard' });

    // A template holding its own slot fills once, not forever.
    const nested = await page.evaluate(async () => {
      const artifact = await (await fetch('/v1/artifact/demo')).json();
      const standard = artifact.slots.find((s) => s.id === 'hero').variants.find((v) => v.id === 'standard');
      standard.template = '<div data-tessera-slot="hero">inner default</div>';
      artifact.version = `${artifact.version}-nested`;
      const loaded = window.tessera.instance.loadArtifact(artifact);
      const frames = async (n) => {
        for (let i = 0; i < n; i += 1) await new Promise((resolve) => requestAnimationFrame(resolve));
      };
      await frames(2);  // the page's render for the new artifact is done
      const view = document.createElement('main');
      view.innerHTML = '<section data-tessera-slot="hero">outer default</section>';
      document.body.append(view);
      await frames(3);
      return { loaded: loaded.ok, slots: view.querySelectorAll('[data-tessera-slot]').length, html: view.innerHTML };
    });
    assert.equal(nested.loaded, true);
    assert.equal(nested.slots, 2, nested.html);
    assert.match(nested.html, /inner default/);
  } finally {
    await browser.close();
  }
});

test('a strict CSP without wasm-unsafe-eval: default content, one error, no tracking', async (t) => {
  const browser = await openBrowser();
  try {
    const { page, log } = browser;
    const csp = `script-src 'self' ${await inlineScriptHash()}`;
    await page.route((url) => url.pathname === '/' && url.searchParams.get('csp') === 'strict',
        async (route) => {
          const response = await route.fetch();
          await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': csp } });
        });
    await page.goto(`${env.base}/?csp=strict`);
    const state = await visitor(page);
    assert.equal(state.disabled, true, 'the SDK runs disabled');
    // The visitor says yes to everything: still nothing is tracked.
    await page.click('[data-consent-choice="all"]');
    await page.locator('#consent-banner').waitFor({ state: 'hidden' });
    await page.evaluate(() => window.tessera.track('add_to_cart', { value: 10, currency: 'EUR' }));
    assert.deepEqual(await page.evaluate(() => window.tessera.flush()), { sent: 0, failed: 0, queued: 0 });

    const heroState = await page.locator(hero).evaluate((element) => ({
      ready: element.hasAttribute('data-tessera-ready'),
      visibility: getComputedStyle(element).visibility,
      text: element.textContent,
    }));
    assert.deepEqual([heroState.ready, heroState.visibility], [true, 'visible']);
    assert.match(heroState.text, /New season, new arrivals/);

    t.diagnostic(`console: ${JSON.stringify(log.console)}`);
    const errors = log.console.filter((m) => m.type === 'error' && m.text.startsWith('tessera:'));
    assert.equal(errors.length, 1, JSON.stringify(log.console));
    assert.match(errors[0].text, /wasm-unsafe-eval/);
    // It names the file, and gives no advice meant for Emscripten's builds.
    assert.match(errors[0].text, /\/sdk\/dist\/tessera_core\.[0-9a-f]+\.wasm: /);
    assert.doesNotMatch(errors[0].text, /ASSERTIONS/);
    assert.deepEqual(log.console.filter((m) => m.type === 'pageerror'), []);
    assert.deepEqual(signalRequests(log), []);
    assert.deepEqual(apiRequests(log), []);
    assert.deepEqual(await tesseraStorageKeys(page), []);
  } finally {
    await browser.close();
  }
});

test('an SDK that does not load: the default shows at once, with one console error', async () => {
  const browser = await openBrowser();
  try {
    const { context, page, log } = browser;
    await page.route('**/sdk/dist/boot.js', (route) => route.fulfill({ status: 404, body: 'not here' }));
    await context.clock.install();
    await context.clock.pauseAt(Date.now() + 1000);  // the 300 ms wait never ends
    await page.goto(`${env.base}/`);
    await page.waitForFunction(() => getComputedStyle(document.getElementById('hero')).visibility === 'visible');
    assert.match(await page.locator(hero).innerText(), /New season, new arrivals/);
    const errors = log.console.filter((m) => m.type === 'error' && m.text.startsWith('tessera:'));
    assert.deepEqual(errors.map((m) => m.text), ['tessera: /sdk/dist/boot.js did not load; showing default content']);
  } finally {
    await browser.close();
  }
});

test('a slow SDK: slots stay hidden for the wait, then the default shows', async () => {
  const browser = await openBrowser();
  try {
    const { context, page } = browser;
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.route('**/sdk/dist/boot.js', async (route) => {
      await held;
      await route.continue();
    });
    await context.clock.install();
    await context.clock.pauseAt(Date.now() + 1000);
    await page.goto(`${env.base}/`, { waitUntil: 'domcontentloaded' });
    const visibility = () => page.locator(hero).evaluate((e) => getComputedStyle(e).visibility);
    assert.equal(await visibility(), 'hidden');
    await context.clock.runFor(299);
    assert.equal(await visibility(), 'hidden', 'still within the 300 ms wait');
    await context.clock.runFor(2);
    assert.equal(await visibility(), 'visible', 'the default shows once the wait is over');
    assert.match(await page.locator(hero).innerText(), /New season, new arrivals/);
    // Once shown, the default must not be hidden again when the SDK arrives.
    await page.evaluate(() => {
      window.hidingStylesAdded = [];
      new MutationObserver((records) => {
        for (const node of records.flatMap((r) => [...r.addedNodes])) {
          if (node.tagName === 'STYLE' && /visibility:\s*hidden/.test(node.textContent)) {
            window.hidingStylesAdded.push(node.textContent);
          }
        }
      }).observe(document.head, { childList: true });
    });
    release();
    await context.clock.resume();
    await visitor(page);
    assert.equal(await visibility(), 'visible');
    assert.deepEqual(await page.evaluate(() => window.hidingStylesAdded), []);
  } finally {
    await browser.close();
  }
});

// The context the browser gives the core: device class, local time, language
// and page, with what the page sets through setContext() on top.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera } from '../src/index.js';
import { deviceClass } from '../src/context.js';
import { Clock, FakeDocument, FakeServer, FakeWindow, pageOptions } from './helpers.js';

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 ' +
    '(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const ANDROID_PHONE = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 ' +
    '(KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36';
const ANDROID_TABLET = 'Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 ' +
    '(KHTML, like Gecko) Chrome/124.0 Safari/537.36';
const MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 ' +
    '(KHTML, like Gecko) Version/17.4 Safari/605.1.15';
const WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 ' +
    '(KHTML, like Gecko) Chrome/124.0 Safari/537.36';

test('device classes from the user agent', () => {
  assert.equal(deviceClass({ userAgent: IPHONE }), 'mobile');
  assert.equal(deviceClass({ userAgent: ANDROID_PHONE }), 'mobile');
  assert.equal(deviceClass({ userAgent: ANDROID_TABLET }), 'tablet');
  assert.equal(deviceClass({ userAgent: MAC, maxTouchPoints: 5 }), 'tablet');  // iPadOS
  assert.equal(deviceClass({ userAgent: MAC, maxTouchPoints: 0 }), 'desktop');
  assert.equal(deviceClass({ userAgent: WINDOWS }), 'desktop');
  assert.equal(deviceClass({ userAgent: WINDOWS, userAgentData: { mobile: true } }), 'mobile');
  assert.equal(deviceClass({}), 'desktop');
});

// Runs `body` with the process in another time zone (Node applies TZ at once).
async function inTimeZone(zone, body) {
  const before = process.env.TZ;
  process.env.TZ = zone;
  try {
    return await body();
  } finally {
    if (before === undefined) delete process.env.TZ; else process.env.TZ = before;
  }
}

test('the context is the browser\'s: local hour, device, language, page without query', () =>
  inTimeZone('Asia/Kolkata', async () => {  // UTC+5:30, no summer time
    const win = new FakeWindow('https://shop.example/products/trail?token=secret#access_token=x');
    win.navigator = { userAgent: IPHONE, language: 'fr-FR' };
    const server = new FakeServer();
    const clock = new Clock(Date.UTC(2026, 10, 23, 20, 10));  // Monday 20:10 UTC
    const t = await createTessera(pageOptions({ window: win, server, clock }));
    t.consent.set({ analytics: true, personalization: true });
    t.page();
    const { context } = t.attributes();
    assert.equal(context.utc_offset_minutes, 330);
    assert.equal(context.hour, 1);  // 01:40 on Tuesday in Kolkata
    assert.equal(context.weekday, 2);
    assert.equal(context.device, 'mobile');
    assert.equal(context.language, 'fr-FR');
    assert.equal(context.path, '/products/trail');
    assert.equal(context.url, 'https://shop.example/products/trail');

    await t.flush();
    const [signal] = server.signals();
    assert.deepEqual(signal.ctx, { dev: 'mobile', lang: 'fr-FR' });
    // Hour of the week in local time: Tuesday 01:00 is 24 + 1.
    assert.deepEqual(Object.keys(signal.hours), ['25']);
    t.destroy();
  }));

test('the offset follows summer time from one page view to the next', () =>
  inTimeZone('America/New_York', async () => {
    // 2026-03-08 07:00 UTC: 02:00 EST becomes 03:00 EDT.
    const clock = new Clock(Date.UTC(2026, 2, 8, 6, 50));
    const t = await createTessera(pageOptions({ window: new FakeWindow(), clock }));
    t.consent.set({ analytics: true, personalization: true });
    t.page();
    assert.equal(t.attributes().context.utc_offset_minutes, -300);
    clock.advance(20 * 60 * 1000);
    t.page();
    assert.equal(t.attributes().context.utc_offset_minutes, -240);
    assert.equal(t.attributes().context.hour, 3);
    t.destroy();
  }));

test('an SPA navigation moves the context\'s page', async () => {
  const win = new FakeWindow('https://shop.example/');
  const t = await createTessera(pageOptions({ window: win }));
  t.consent.set({ analytics: true, personalization: true });
  win.history.pushState({}, '', '/cart?coupon=X');
  t.page();
  assert.equal(t.attributes().context.path, '/cart');
  t.destroy();
});

test('setContext() goes over the browser\'s values; a bad one is a TypeError and changes nothing', async () => {
  const win = new FakeWindow('https://shop.example/');
  win.navigator = { userAgent: WINDOWS, language: 'en-GB' };
  const t = await createTessera(pageOptions({ window: win }));
  t.consent.set({ analytics: true, personalization: true });
  t.setContext({ device: 'tablet', extra: { campaign: 'spring' } });
  let { context } = t.attributes();
  assert.equal(context.device, 'tablet');
  assert.equal(context.campaign, 'spring');
  assert.equal(context.language, 'en-GB');  // still the browser's

  assert.throws(() => t.setContext({ utcOffsetMinutes: 5000 }),
      { name: 'TypeError', message: /utcOffsetMinutes/ });
  assert.throws(() => t.setContext({ device: 7 }), { name: 'TypeError', message: /device/ });
  context = t.attributes().context;
  assert.equal(context.device, 'tablet');
  assert.equal(context.campaign, 'spring');
  t.destroy();
});

test('a page view names its page without the fragment, where tokens travel too', async () => {
  // An OAuth implicit-flow callback: no query string, the token in the fragment.
  const win = new FakeWindow('https://shop.example/auth/callback#access_token=secret');
  const doc = new FakeDocument();
  doc.referrer = 'https://idp.example/authorize#state=secret';
  const t = await createTessera(pageOptions({ window: win, document: doc }));
  t.consent.set({ analytics: true });
  const heard = [];
  t.on('track', (event) => heard.push(event.properties));
  const { event } = t.page();
  assert.equal(event.properties.url, 'https://shop.example/auth/callback');
  assert.equal(event.properties.referrer, 'https://idp.example/authorize');
  assert.doesNotMatch(JSON.stringify(heard), /secret/);
  t.destroy();
});

// Google Consent Mode v2 as sites set it up: gtag('consent', 'default', ...)
// at the top of the page for visitors who have not chosen yet, then the
// consent platform's gtag('consent', 'update', ...) with the visitor's choice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera } from '../src/index.js';
import { artifact, FakeServer, FakeWindow, pageOptions, tick } from './helpers.js';

const denied = { analytics_storage: 'denied', personalization_storage: 'denied', ad_storage: 'denied' };
const granted = { analytics_storage: 'granted', personalization_storage: 'granted' };

/** A page whose gtag() pushes its arguments object, as Google's snippet does. */
function pageWithGtag() {
  const win = new FakeWindow();
  win.dataLayer = [];
  const gtag = function () { win.dataLayer.push(arguments); };
  return { win, gtag };
}

test("a Consent Mode default does not withdraw a returning visitor's choice", async () => {
  const map = new Map();
  const first = pageWithGtag();
  first.gtag('consent', 'default', denied);
  first.gtag('consent', 'update', granted);
  const page1 = await createTessera(pageOptions({ map, window: first.win }));
  page1.page();
  page1.destroy();

  // The next page: its default runs at once, the platform's update later.
  const second = pageWithGtag();
  second.gtag('consent', 'default', denied);
  const page2 = await createTessera(pageOptions({ map, window: second.win }));
  assert.equal(page2.consent.get().analytics, true);
  second.gtag('consent', 'update', granted);
  assert.equal(page2.attributes().event.page_view.count_all, 1, 'the profile of page 1 is kept');
  page2.destroy();
});

test('a Consent Mode default of granted is not consent: no request, no write', async () => {
  const { win, gtag } = pageWithGtag();
  // Sites often grant by default outside a region list the SDK cannot check.
  gtag('consent', 'default', { ...granted, region: ['US'] });
  const map = new Map();
  const server = new FakeServer();
  let fetched = 0;
  const t = await createTessera(pageOptions({
    map, server, window: win, artifact: undefined, artifactUrl: 'https://cdn.example/a.json',
    fetch: async () => { fetched += 1; return new Response(JSON.stringify(artifact)); },
  }));
  t.page();
  await t.flush();
  await tick();
  assert.equal(t.consent.get().analytics, false);
  assert.equal(fetched, 0);
  assert.equal(server.requests.length, 0);
  assert.equal(map.size, 0);

  gtag('consent', 'update', granted);  // the visitor's choice
  assert.equal(t.consent.get().analytics, true);
  t.destroy();
});

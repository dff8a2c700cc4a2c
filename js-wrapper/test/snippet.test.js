// The inline snippet queue: calls made before the SDK loads are replayed in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { boot } from '../snippet/boot.js';
import { artifact, FakeDocument, FakeElement, FakeWindow, FakeServer, Clock, repoRoot, tick } from './helpers.js';
import { memoryBackend } from '../src/index.js';

// Runs snippet.js on a fake page, with its options or `options` (source
// text); `appended` lists what it added to <head>, `waits` its timeouts.
function runSnippet(win = new FakeWindow(), options = null) {
  const doc = new FakeDocument();
  const appended = [];
  const waits = [];
  doc.head = { appendChild: (el) => appended.push(el) };
  doc.createElement = (tag) => ({ tag, remove() {} });
  let source = readFileSync(new URL('../snippet/snippet.js', import.meta.url), 'utf8');
  if (options) source = source.replace(/'\/sdk\/dist\/boot\.js', \{.*\}\);/, `'/sdk/dist/boot.js', ${options});`);
  vm.runInNewContext(source, { window: win, document: doc, console, setTimeout: (fn, ms) => waits.push(ms) });
  return { win, doc, appended, waits };
}

test("the snippet hides undecided slots for antiFlickerMs, 0 included; 300 ms when it is not set", () => {
  assert.deepEqual(runSnippet(new FakeWindow(), "{ site: 'demo' }").waits, [300]);
  assert.deepEqual(runSnippet(new FakeWindow(), "{ site: 'demo', antiFlickerMs: 1000 }").waits, [1000]);
  assert.deepEqual(runSnippet(new FakeWindow(), "{ site: 'demo', antiFlickerMs: 0 }").waits, [0]);
});

test('an SDK that does not load shows the defaults at once, with one console error', () => {
  const { appended } = runSnippet();
  const style = appended.find((el) => el.tag === 'style');
  const script = appended.find((el) => el.tag === 'script');
  assert.match(style.textContent, /visibility:hidden/);
  const errors = [];
  const consoleError = console.error;
  console.error = (message) => errors.push(message);
  try {
    script.onerror();  // a 404, a network error, a CSP refusal
  } finally {
    console.error = consoleError;
  }
  assert.equal(style.textContent, '');
  assert.deepEqual(errors, ['tessera: /sdk/dist/boot.js did not load; showing default content']);
});

test('queued calls are replayed in order after the SDK loads', async () => {
  const { win, doc, appended } = runSnippet();
  assert.ok(appended.some((el) => el.tag === 'script' && el.type === 'module'), 'loads the SDK');
  assert.ok(appended.some((el) => el.tag === 'style'), 'hides undecided slots');

  win.tessera.consent({ analytics: true, personalization: true });
  win.tessera.identify('u1', { predicted_clv: 900 });
  win.tessera.track('add_to_cart', { value: 5 });
  assert.equal(win.tessera.q.length, 3);

  const server = new FakeServer();
  Object.assign(win.tessera.o, {
    endpoint: 'https://collect.example', artifact, storage: memoryBackend(),
    transport: server.send, now: new Clock().now, window: win, document: doc,
    flushIntervalMs: 0, format: 'json', artifactUrl: undefined,
  });
  const instance = await boot(win);
  assert.equal(win.tessera.loaded, true);
  assert.equal(instance.attributes().event.add_to_cart.count_all, 1);
  assert.equal(instance.attributes().event.page_view.count_all, 1, 'boot records the page view');
  assert.deepEqual(instance.segments(), ['high_value']);
  win.tessera.track('form_submit', {});
  assert.equal(instance.attributes().event.form_submit.count_all, 1, 'later calls go straight through');
  instance.destroy();
});

test('under Trusted Types the snippet loads the SDK through its policy, which boot hands on', async () => {
  const created = [];
  const page = new FakeWindow();
  page.trustedTypes = {
    createPolicy(name, rules) {
      created.push(name);
      return { createScriptURL: (url) => ({ trusted: rules.createScriptURL(url) }),
        createHTML: (html) => rules.createHTML(html) };
    },
  };
  const { win, doc, appended } = runSnippet(page);
  const script = appended.find((el) => el.tag === 'script');
  assert.deepEqual(script.src, { trusted: '/sdk/dist/boot.js' });
  assert.deepEqual(created, ['tessera']);
  // The policy is left on window.tessera for boot, where any script can
  // reach it: it vouches for no script URL but the SDK's.
  assert.deepEqual(win.tessera.p.createScriptURL('https://evil.example/x.js'), { trusted: '/sdk/dist/boot.js' });
  Object.assign(win.tessera.o, testOptions(win, doc));
  const instance = await boot(win);
  assert.equal(instance.options.trustedTypesPolicy.createHTML('<b>x</b>'), '<b>x</b>');
  instance.destroy();
});

// A page that ran the snippet: window.tessera queues calls until boot().
function pageWithSnippet() {
  const { win, doc } = runSnippet();
  doc.head = { appendChild: () => {} };
  return { win, doc };
}

// The options a test page gives the SDK: the fixtures instead of the network.
function testOptions(win, doc) {
  return {
    endpoint: 'https://collect.example', artifact, storage: memoryBackend(),
    transport: new FakeServer().send, now: new Clock().now, window: win, document: doc,
    flushIntervalMs: 0, format: 'json', artifactUrl: undefined,
  };
}

test('listeners queued before load hear the initial artifact; other calls replay in order', async () => {
  const { win, doc } = pageWithSnippet();
  const heard = [];
  win.tessera.on('artifact', (detail) => heard.push(detail.version));
  win.tessera.on('artifact', () => heard.push('second listener'));
  win.tessera.on('track', (event) => heard.push(`track ${event.name}`));
  win.tessera.consent({ analytics: true, personalization: true });
  win.tessera.track('add_to_cart', { value: 5 });
  Object.assign(win.tessera.o, testOptions(win, doc));
  const instance = await boot(win);
  assert.deepEqual(heard, [artifact.version, 'second listener', 'track add_to_cart', 'track page_view']);
  instance.destroy();
});

test('calls queued while the SDK starts are replayed too, after the earlier ones', async () => {
  const { win, doc } = pageWithSnippet();
  const heard = [];
  win.tessera.consent({ analytics: true, personalization: true });
  Object.assign(win.tessera.o, testOptions(win, doc));
  const starting = boot(win);
  // boot() is awaiting the WebAssembly core; the page still sees the stub.
  assert.equal(win.tessera.loaded, undefined);
  win.tessera.on('track', (event) => heard.push(`track ${event.name}`));
  win.tessera.track('add_to_cart', { value: 5 });
  const instance = await starting;
  assert.deepEqual(heard, ['track add_to_cart', 'track page_view']);
  assert.equal(instance.attributes().event.add_to_cart.count_all, 1);
  instance.destroy();
});

test('a call that a replayed call makes (a queued listener calling window.tessera) is not lost', async () => {
  const { win, doc } = pageWithSnippet();
  win.tessera.on('consent', (state) => {
    if (state.analytics) win.tessera.track('consent_given', {});
  });
  win.tessera.consent({ analytics: true, personalization: true });
  win.tessera.track('add_to_cart', { value: 5 });
  Object.assign(win.tessera.o, testOptions(win, doc));
  const instance = await boot(win);
  const events = instance.attributes().event;
  assert.equal(events.consent_given?.count_all, 1);
  assert.equal(events.add_to_cart.count_all, 1);
  instance.destroy();
});

test("a page() queued before load is the page's one page view, with its properties", async () => {
  const { win, doc } = pageWithSnippet();
  win.tessera.consent({ analytics: true, personalization: true });
  win.tessera.page({ category: 'shoes' });
  Object.assign(win.tessera.o, testOptions(win, doc));
  const heard = [];
  win.tessera.on('track', (event) => heard.push(event.name));
  const instance = await boot(win);
  assert.deepEqual(heard, ['page_view']);
  assert.equal(instance.attributes().event.page_view.count_all, 1);
  instance.destroy();
});

test('a second copy of the snippet, run after the SDK loaded, leaves it working', async () => {
  const { win, doc } = pageWithSnippet();
  win.tessera.consent({ analytics: true, personalization: true });
  Object.assign(win.tessera.o, testOptions(win, doc));
  const instance = await boot(win);
  const loaded = win.tessera;
  // e.g. a tag manager inserting the snippet again; the SDK module runs once.
  const { appended } = runSnippet(win);
  assert.equal(win.tessera, loaded);
  assert.deepEqual(appended, [], 'no second style hiding slots, no second load');
  win.tessera.track('add_to_cart', { value: 5 });
  assert.equal(instance.attributes().event.add_to_cart.count_all, 1);
  instance.destroy();
});

test('the snippet fills the slots again when a newer artifact arrives', async () => {
  const { win, doc } = pageWithSnippet();
  const hero = new FakeElement({ 'data-tessera-slot': 'hero' });
  doc.slots.push(hero);
  let answer;
  const fetch = () => new Promise((resolve) => { answer = resolve; });
  win.tessera.consent({ analytics: true, personalization: true });
  Object.assign(win.tessera.o, testOptions(win, doc), { artifactUrl: 'https://cdn.example/a.json', fetch });
  win.tessera.o.artifact = artifact;  // what the page shows until the request answers
  const instance = await boot(win);
  assert.equal(hero.innerHTML, '<h2>Standard Promotion</h2>');
  const newer = structuredClone(artifact);
  newer.version = 'sdk-test-2';
  newer.slots[0].variants[2].template = '<h2>Winter Sale</h2>';
  answer(new Response(JSON.stringify(newer)));
  await tick();
  await tick();
  assert.equal(hero.innerHTML, '<h2>Winter Sale</h2>');
  instance.destroy();
});

test('a queued on() with a misspelt event fails alone, with its message; the start goes on', async () => {
  const { win, doc } = pageWithSnippet();
  const heard = [];
  win.tessera.on('trak', () => heard.push('misspelt'));
  win.tessera.on('track', (event) => heard.push(`track ${event.name}`));
  win.tessera.consent({ analytics: true, personalization: true });
  Object.assign(win.tessera.o, testOptions(win, doc));
  const errors = [];
  const original = console.error;
  console.error = (message) => errors.push(String(message));
  let instance;
  try {
    instance = await boot(win);
  } finally {
    console.error = original;
  }
  assert.deepEqual(heard, ['track page_view']);
  assert.equal(errors.length, 1);
  assert.match(errors[0], /queued on\(\) failed: on: "trak" is not an event/);
  instance.destroy();
});

// The demo store's pages carry the snippet inline (it must run before the
// SDK loads, and the server serves the pages as files). These copies must be
// snippet.js's code exactly, apart from the options object, and the same on
// every page (so one CSP hash fits the whole store).
const demoPages = ['index.html', 'product.html', 'checkout.html'];
const SNIPPET_START = '(function (w, d, sdk, options) {';

/** The snippet's code from its IIFE up to (not including) the options object. */
function snippetCode(source, where) {
  const start = source.indexOf(SNIPPET_START);
  assert.ok(start >= 0, `${where}: no "${SNIPPET_START}"`);
  const call = source.indexOf('})(window, document, ', start);
  assert.ok(call > start, `${where}: the snippet is not called with (window, document, ...)`);
  const options = source.indexOf('{', call + 2);
  assert.ok(options > call, `${where}: no options object`);
  return source.slice(start, options).split('\n').map((line) => line.trim()).filter(Boolean).join('\n');
}

function inlineScript(page) {
  const html = readFileSync(new URL(`demo-site/${page}`, repoRoot), 'utf8');
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  assert.equal(scripts.length, 1, `demo-site/${page}: one inline script (the snippet)`);
  return scripts[0];
}

test('each demo page inlines snippet.js unchanged, with the same options', () => {
  const canonical = snippetCode(readFileSync(new URL('../snippet/snippet.js', import.meta.url), 'utf8'),
      'snippet/snippet.js');
  const inline = demoPages.map(inlineScript);
  for (const [i, page] of demoPages.entries()) {
    assert.equal(snippetCode(inline[i], page), canonical, `demo-site/${page} drifted from snippet/snippet.js`);
    assert.equal(inline[i], inline[0], `demo-site/${page}'s inline script differs from index.html's`);
  }
  // The drift check itself notices a change.
  assert.notEqual(snippetCode(inline[0].replace("'on', 'decide'", "'on'"), 'mutated'), canonical);

  // The inline copy runs and queues with the store's options.
  const win = new FakeWindow('http://127.0.0.1:8080/');
  win.TESSERA_DEMO = { writeKey: 'wk_demo' };
  const doc = new FakeDocument();
  const appended = [];
  doc.head = { appendChild: (el) => appended.push(el) };
  doc.createElement = (tag) => ({ tag, remove() {} });
  vm.runInNewContext(inline[0], { window: win, document: doc, setTimeout: () => 0 });
  assert.deepEqual(JSON.parse(JSON.stringify(win.tessera.o)), {
    site: 'demo', writeKey: 'wk_demo', artifactUrl: '/v1/artifact/demo',
    consentPolicy: { mode: 'opt-in', policyVersion: '2026-01' }, antiFlickerMs: 300,
  });
  assert.equal(appended.find((el) => el.tag === 'script').src, '/sdk/dist/boot.js');
});

test("the README's style-src hash is the hash of the snippet's hiding style", () => {
  const snippet = readFileSync(new URL('../snippet/snippet.js', import.meta.url), 'utf8');
  const style = /style\.textContent = '([^']+)'/.exec(snippet)[1];
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const documented = /style-src[\s\S]*?'(sha256-[A-Za-z0-9+/=]+)'/.exec(readme)?.[1];
  assert.equal(documented, `sha256-${createHash('sha256').update(style).digest('base64')}`);
});

// The inline stub queue: calls made before the SDK loads are replayed in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { boot } from '../snippet/boot.js';
import { artifact, FakeDocument, FakeWindow, FakeServer, Clock } from './helpers.js';
import { memoryBackend } from '../src/index.js';

test('queued calls are replayed in order after the SDK loads', async () => {
  const win = new FakeWindow();
  const doc = new FakeDocument();
  const appended = [];
  doc.head = { appendChild: (el) => appended.push(el) };
  doc.createElement = (tag) => ({ tag, remove() {} });
  const source = readFileSync(new URL('../snippet/snippet.js', import.meta.url), 'utf8');
  vm.runInNewContext(source, { window: win, document: doc, setTimeout: () => 0 });
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

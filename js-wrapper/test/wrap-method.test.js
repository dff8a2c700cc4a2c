// The SDK's wrappers of page methods (history.pushState, dataLayer.push)
// come off without taking other scripts' wrappers with them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera } from '../src/index.js';
import { wrapMethod } from '../src/wrap-method.js';
import { FakeWindow, pageOptions } from './helpers.js';

test('undoing a wrapper restores the original while ours is on top', () => {
  const calls = [];
  const target = { run(x) { calls.push(['original', x, this === target]); return x * 2; } };
  const original = target.run;
  const undo = wrapMethod(target, 'run', (inner) => function (x) {
    calls.push(['ours', x]);
    return inner.call(this, x);
  });
  assert.equal(target.run(1), 2);
  undo();
  assert.equal(target.run, original);
  assert.deepEqual(calls, [['ours', 1], ['original', 1, true]]);
});

test('undoing under another script\'s wrapper keeps theirs and makes ours pass through', () => {
  const calls = [];
  const target = { run(x) { calls.push(['original', x]); return x; } };
  const undo = wrapMethod(target, 'run', (inner) => function (x) {
    calls.push(['ours', x]);
    return inner.call(this, x);
  });
  const ours = target.run;
  target.run = function (x) {  // e.g. Google Tag Manager, after the SDK
    calls.push(['theirs', x]);
    return ours.call(this, x);
  };
  const theirs = target.run;
  undo();
  assert.equal(target.run, theirs);
  assert.equal(target.run(7), 7);
  assert.deepEqual(calls, [['theirs', 7], ['original', 7]]);
});

test('destroy() leaves a tag manager\'s dataLayer.push and a router\'s pushState working', async () => {
  const win = new FakeWindow('https://shop.example/');
  win.dataLayer = [];
  const t = await createTessera(pageOptions({ window: win }));
  t.consent.set({ analytics: true, personalization: true });
  // Scripts that wrap the same methods after the SDK started.
  const seen = [];
  const sdkPush = win.dataLayer.push;
  win.dataLayer.push = function (...entries) { seen.push(...entries); return sdkPush.apply(this, entries); };
  const sdkPushState = win.history.pushState;
  win.history.pushState = function (...args) { seen.push(args[2]); return sdkPushState.apply(this, args); };
  const pageViews = [];
  t.on('track', (event) => pageViews.push(event));
  t.destroy();

  win.dataLayer.push({ event: 'purchase' });
  win.history.pushState({}, '', '/cart');
  assert.deepEqual(seen, [{ event: 'purchase' }, '/cart'], 'their wrappers still run');
  assert.deepEqual([...win.dataLayer], [{ event: 'purchase' }]);
  assert.equal(win.location.pathname, '/cart');
  assert.deepEqual(pageViews, [], 'the destroyed instance records nothing');
});

// Shared fixtures for the SDK suites: the repo's test vectors, an injected
// clock, a scriptable transport and a minimal DOM.
import { readFileSync } from 'node:fs';
import { memoryBackend } from '../src/storage.js';

export const repoRoot = new URL('../../', import.meta.url);

export function readJson(relative) {
  return JSON.parse(readFileSync(new URL(relative, repoRoot), 'utf8'));
}

export const artifact = {
  schema_version: 1,
  version: 'sdk-test-1',
  site: 'demo',
  segments: [
    { id: 'recent_buyers', name: 'Recent Buyers', priority: 10,
      condition: { 'event.purchase_complete.days_since_last': { $exists: true, $lte: 7 } } },
    { id: 'engaged', name: 'Engaged Visitors', priority: 5,
      condition: { 'event.page_view.count_24h': { $gt: 5 } } },
    { id: 'high_value', name: 'High-Value', priority: 20,
      condition: { 'traits.predicted_clv': { $gt: 500 } } },
  ],
  slots: [
    { id: 'hero', default: 'standard', variants: [
      { id: 'vip', condition: { segments: { $in: ['high_value'] } }, template: '<h2>Exclusive VIP Discount</h2>' },
      { id: 'buyer', condition: { segments: { $in: ['recent_buyers'] } }, template: '<h2>Thanks, {{traits.name}}!</h2>' },
      { id: 'standard', template: '<h2>Standard Promotion</h2>' },
    ] },
  ],
  experiments: [],
};

export class Clock {
  constructor(start = Date.UTC(2026, 10, 23, 12)) { this.ms = start; }
  now = () => this.ms;
  advance(ms) { this.ms += ms; }
}

/**
 * A transport whose answers are scripted: push statuses (or 'offline', or
 * 'silent' for a request never answered, or a function of the request
 * resolving to one of those) to
 * `responses`; with none left it answers 202. Records every request.
 */
export class FakeServer {
  constructor() {
    this.requests = [];
    this.responses = [];
    this.received = new Map();  // idempotency id -> count, as the server dedupes
  }

  send = async (request) => {
    this.requests.push(request);
    let next = this.responses.length ? this.responses.shift() : 202;
    if (typeof next === 'function') next = await next(request);  // answers when it decides
    if (next === 'offline') throw new TypeError('Failed to fetch');
    if (next === 'silent') {
      // Takes the request and never answers; only an abort ends it, as in fetch.
      return new Promise((_, reject) => request.signal?.addEventListener('abort',
          () => reject(new DOMException('The operation was aborted.', 'AbortError'))));
    }
    const status = typeof next === 'object' ? next.status : next;
    if (status >= 200 && status < 300) {
      const id = this.idOf(request);
      this.received.set(id, (this.received.get(id) ?? 0) + 1);
    }
    return { status, retryAfter: next.retryAfter ?? null };
  };

  idOf(request) {
    // Bodies are JSON in these tests (format: 'json').
    return JSON.parse(new TextDecoder().decode(request.body)).id;
  }

  signals() {
    return this.requests.map((r) => JSON.parse(new TextDecoder().decode(r.body)));
  }
}

/** Enough of the DOM for slot rendering: elements with attributes. */
export class FakeElement {
  constructor(attributes = {}) {
    this.attributes = new Map(Object.entries(attributes));
    this.innerHTML = '';
    this.listeners = {};
  }
  getAttribute(name) { return this.attributes.has(name) ? this.attributes.get(name) : null; }
  setAttribute(name, value) { this.attributes.set(name, String(value)); }
  hasAttribute(name) { return this.attributes.has(name); }
  addEventListener(type, fn) { (this.listeners[type] ??= []).push(fn); }
  click() { for (const fn of this.listeners.click ?? []) fn({}); }
  // As a render() root: it matches the slot selector when it is a slot; no children.
  matches(selector) { return selector === '[data-tessera-slot]' && this.hasAttribute('data-tessera-slot'); }
  querySelectorAll() { return []; }
}

export class FakeDocument {
  constructor(slots = []) {
    this.slots = slots;
    this.listeners = {};
    this.visibilityState = 'visible';
    this.title = 'Test page';
    this.referrer = '';
    this.head = { appendChild: () => {} };
  }
  querySelectorAll(selector) {
    return selector === '[data-tessera-slot]' ? this.slots : [];
  }
  contains(element) { return this.slots.includes(element); }
  getElementById() { return null; }
  createElement() { return { remove() {} }; }
  addEventListener(type, fn) { (this.listeners[type] ??= []).push(fn); }
  removeEventListener(type, fn) {
    this.listeners[type] = (this.listeners[type] ?? []).filter((f) => f !== fn);
  }
  dispatch(type, event = {}) { for (const fn of this.listeners[type] ?? []) fn(event); }
}

export class FakeWindow {
  constructor(href = 'https://shop.example/') {
    this.location = new URL(href);
    this.listeners = {};
    const win = this;
    this.history = {
      pushState(state, title, url) { win.location = new URL(url, win.location); },
      replaceState(state, title, url) { win.location = new URL(url, win.location); },
    };
    this.navigator = {};
  }
  addEventListener(type, fn) { (this.listeners[type] ??= []).push(fn); }
  removeEventListener(type, fn) {
    this.listeners[type] = (this.listeners[type] ?? []).filter((f) => f !== fn);
  }
  dispatch(type, event = {}) { for (const fn of this.listeners[type] ?? []) fn(event); }
}

/**
 * createTessera() options for one page of the demo site, on the fixtures:
 * JSON signals, no flush timer, the artifact above. `warnings` collects
 * console warnings; `extra` overrides anything.
 */
export function pageOptions({ map = new Map(), server = new FakeServer(), clock = new Clock(),
                                     warnings = [], ...extra } = {}) {
  return {
    site: 'demo', endpoint: 'https://collect.example', writeKey: 'wk_test', artifact,
    storage: memoryBackend(map), transport: server.send, now: clock.now,
    random: () => 0.5, format: 'json', flushIntervalMs: 0,
    window: new FakeWindow(), document: new FakeDocument(),
    warn: (message) => warnings.push(message), ...extra,
  };
}

export function tick() {
  return new Promise((resolve) => setImmediate(resolve));
}

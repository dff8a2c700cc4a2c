// Delivery of signals to the server: a capped queue persisted before any send,
// one request per signal (each well under the 64 KB keepalive limit),
// exponential backoff with jitter that honours Retry-After, and a send that
// survives the page being hidden (fetch keepalive, sendBeacon as fallback).
// The server counts a resent signal once (idempotency id), so at-least-once
// delivery here is safe.
import { base64ToBytes, bytesToBase64 } from './storage.js';

export const MAX_REQUEST_BYTES = 60 * 1024;
// What Chromium lets a page have in flight with keepalive (and sendBeacon).
const KEEPALIVE_BUDGET_BYTES = 64 * 1024;
export const DEFAULT_SIGNALS_PATH = '/v1/signals';

const CONTENT_TYPES = { cbor: 'application/cbor', json: 'application/json' };

// A server (or proxy) that takes a request and never answers would hold the
// signal queue, or the SDK's start, for good: requests give up after this.
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * `request(abortSignal)` raced against `ms`: rejects with an Error naming
 * `what` when no answer came in time, and aborts the request.
 */
export function withTimeout(request, ms, what) {
  const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      controller?.abort();
      reject(new Error(`${what} had no answer within ${ms} ms`));
    }, ms);
    const settle = (finish) => (value) => {
      clearTimeout(timer);
      finish(value);
    };
    request(controller?.signal).then(settle(resolve), settle(reject));
  });
}

/** fetch-based sender: resolves to {status, retryAfter}. */
export function fetchSender(fetchImpl = globalThis.fetch?.bind(globalThis)) {
  return async ({ url, body, contentType, keepalive, signal }) => {
    const response = await fetchImpl(url, {
      method: 'POST',
      body,
      keepalive,
      signal,
      headers: { 'Content-Type': contentType },
      credentials: 'omit',
    });
    return { status: response.status, retryAfter: response.headers.get('Retry-After') };
  };
}

// A longer Retry-After (a misconfigured proxy's "31536000") would silence
// the page for as long while the capped queue drops its oldest signals.
export const MAX_RETRY_AFTER_MS = 24 * 3600 * 1000;

/**
 * Parses Retry-After (seconds or an HTTP date) into milliseconds from now,
 * at most MAX_RETRY_AFTER_MS.
 */
export function retryAfterMs(header, nowMs) {
  if (header == null || header === '') return 0;
  let ms = Number(header) * 1000;
  if (!Number.isFinite(ms)) ms = Date.parse(header) - nowMs;
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms)) : 0;
}

export class Transport {
  /**
   * @param {object} o
   * @param {string} o.endpoint server base URL; signals go to its /v1/signals
   *   until setTarget() names another path or URL
   * @param {string} o.writeKey the site's write key
   * @param {import('./storage.js').SiteStorage} o.storage
   * @param {Function} [o.send] ({url, body, contentType, keepalive, signal}) => Promise<{status, retryAfter}>
   * @param {Function} [o.beacon] (url, Blob|Uint8Array) => boolean
   * @param {number} [o.timeoutMs] a send unanswered this long is retried later
   * @param {Function} [o.isLeader] (claim) => whether this tab may send: with
   *   `claim` it takes a free lease, without it only keeps its own
   * @param {Function} [o.onEvent] (type, detail) for 'signal', 'retry', 'error'
   */
  constructor({ endpoint, writeKey, storage, send, beacon, now = Date.now,
                timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
                random = Math.random, maxQueue = 50, baseDelayMs = 1000,
                maxDelayMs = 5 * 60 * 1000, isLeader = () => true, onEvent = () => {} }) {
    this.base = endpoint.replace(/\/+$/, '');
    this.writeKey = writeKey;
    this.setTarget(DEFAULT_SIGNALS_PATH);
    this.storage = storage;
    this.send = send ?? fetchSender();
    this.beacon = beacon ?? (globalThis.navigator?.sendBeacon
        ? (url, data) => globalThis.navigator.sendBeacon(url, data) : null);
    this.now = now;
    this.timeoutMs = timeoutMs;
    this.random = random;
    this.maxQueue = maxQueue;
    this.baseDelayMs = baseDelayMs;
    this.maxDelayMs = maxDelayMs;
    this.isLeader = isLeader;
    this.onEvent = onEvent;
    this.attempts = 0;
    this.notBefore = 0;
    this.waitingForNetwork = false;
    this.generation = 0;  // clear() counts up: a drain under way then stops
    this.inFlight = null;
  }

  /**
   * Where signals go: a path ("/v1/signals") is appended to the endpoint
   * base, an http(s) URL is used as it is. Queued signals follow.
   */
  setTarget(pathOrUrl) {
    const target = /^https?:\/\//i.test(pathOrUrl) ? pathOrUrl : `${this.base}${pathOrUrl}`;
    this.url = `${target}${target.includes('?') ? '&' : '?'}key=${encodeURIComponent(this.writeKey)}`;
  }

  // Entries that cannot be sent (no id, or no body text) are dropped with a
  // warning: one damaged entry must not hold back the rest of the queue.
  readQueue() {
    const text = this.storage.get('queue');
    if (!text) return [];
    let queue = null;
    try {
      queue = JSON.parse(text);
    } catch {
      // Fall through: a corrupted queue is dropped, with a warning.
    }
    if (!Array.isArray(queue)) {
      this.storage.warn('tessera: the stored signal queue was corrupted and has been reset');
      this.storage.remove('queue');
      return [];
    }
    const usable = queue.filter((e) => typeof e?.id === 'string' && typeof e.b === 'string');
    if (usable.length < queue.length) {
      this.storage.warn(`tessera: ${queue.length - usable.length} corrupted queued signal(s) dropped`);
      this.writeQueue(usable);
    }
    return usable;
  }

  writeQueue(queue) {
    if (queue.length === 0) this.storage.remove('queue');
    else this.storage.set('queue', JSON.stringify(queue));
  }

  /**
   * Persists a signal for delivery. Oldest entries go first past the cap.
   * `marketing`: the signal is flagged for email use (mkt), so a withdrawal
   * of marketing drops it (forgetMarketing).
   */
  enqueue({ id, bytes, format, marketing = false }) {
    // The core splits signals to the artifact's cap (at most 64 KiB); this
    // guards keepalive's limit should a single record ever exceed it.
    if (bytes.length > MAX_REQUEST_BYTES) {
      this.onEvent('error', { code: 'signal_too_large',
        message: `signal ${id} is ${bytes.length} bytes, over the limit of ${MAX_REQUEST_BYTES}` });
      return false;
    }
    const queue = this.readQueue();
    if (queue.some((e) => e.id === id)) return true;
    queue.push(marketing ? { id, f: format, b: bytesToBase64(bytes), m: 1 }
                         : { id, f: format, b: bytesToBase64(bytes) });
    while (queue.length > this.maxQueue) {
      const dropped = queue.shift();
      this.onEvent('error', { code: 'queue_full', message: `dropped signal ${dropped.id}` });
    }
    this.writeQueue(queue);
    return true;
  }

  removeFromQueue(id) {
    this.writeQueue(this.readQueue().filter((e) => e.id !== id));
  }

  // An entry being sent carries the time its request started (`s`): another
  // tab, or the next page once this one is hidden, leaves it alone while that
  // request may still be answered. Unanswered, the mark lapses after the
  // request timeout and the entry is sent again (the server counts it once).
  markSending(id, startedAt) {
    const queue = this.readQueue();
    const entry = queue.find((e) => e.id === id);
    if (!entry) return;
    if (startedAt === undefined) delete entry.s;
    else entry.s = startedAt;
    this.writeQueue(queue);
  }

  isBeingSent(entry) {
    return typeof entry.s === 'number' && this.now() - entry.s < this.timeoutMs;
  }

  /** Forgets the signals flagged for email use; a send under way finishes. */
  forgetMarketing() {
    const queue = this.readQueue();
    const kept = queue.filter((e) => !e.m);
    if (kept.length < queue.length) this.writeQueue(kept);
  }

  /** Forgets the queue; a drain under way stops before its next request. */
  clear() {
    this.storage.remove('queue');
    this.generation += 1;
    this.attempts = 0;
    this.notBefore = 0;
  }

  /**
   * The network is back: a wait that followed a network failure ends now.
   * A wait the server asked for (Retry-After, or backing off from its errors)
   * is kept.
   */
  online() {
    if (this.waitingForNetwork) this.notBefore = 0;
  }

  backoff(retryAfterHeader) {
    this.attempts += 1;
    const exponential = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (this.attempts - 1));
    const jittered = exponential * (0.5 + 0.5 * this.random());
    const delay = Math.max(jittered, retryAfterMs(retryAfterHeader, this.now()));
    this.notBefore = this.now() + delay;
    return delay;
  }

  /** Milliseconds until a retry is allowed (0 when sending may go ahead). */
  waitMs() {
    return Math.max(0, this.notBefore - this.now());
  }

  /**
   * Sends what is queued. Resolves to {sent, failed, queued} once every
   * request made has been answered. Only the leading tab sends, so several
   * open tabs do not send the same queue twice.
   */
  flush({ keepalive = false } = {}) {
    // A page going away does not wait for a flush under way: its request
    // (without keepalive, or still waiting for its CORS preflight) dies
    // with the page, so its entry goes again now.
    if (keepalive) return this.drain(true);
    if (this.inFlight) return this.inFlight.then(() => this.flush());
    this.inFlight = this.drain(false).finally(() => { this.inFlight = null; });
    return this.inFlight;
  }

  // The queue is read again before each request: meanwhile another tab may
  // have sent or started an entry, and a withdrawal of consent (clear())
  // empties it. Leadership is checked again too (and renewed while ours),
  // so a page that handed the lease over does not keep sending beside the
  // page that took it.
  //
  // A page going away (keepalive) does not wait for answers it may not live
  // to see: it sends every entry at once, as far as the browser's keepalive
  // budget goes. Otherwise an entry whose answer came too late for the page
  // before (so still queued, and sent again once its mark lapses) would hold
  // back this page's own signal until a next page that may never come.
  async drain(keepalive) {
    const result = { sent: 0, failed: 0, queued: 0 };
    const generation = this.generation;
    const tried = new Set();
    const leaving = [];
    let budget = KEEPALIVE_BUDGET_BYTES;
    for (let first = true; this.generation === generation; first = false) {
      if (this.waitMs() > 0 || !this.isLeader(first)) break;
      const entry = this.readQueue().find((e) => !tried.has(e.id) &&
          (!this.isBeingSent(e) || (keepalive && e.id === this.sending)));
      if (!entry || (keepalive && (budget -= entry.b.length * 0.75) < 0)) break;  // base64
      tried.add(entry.id);
      if (!keepalive) this.sending = entry.id;
      const delivered = this.deliver(entry, keepalive).then((outcome) => {
        if (this.generation !== generation) return false;
        if (outcome === 'retry' || outcome === 'beacon') {
          this.markSending(entry.id, undefined);
          return false;  // retry later, in order
        }
        result[outcome === 'sent' ? 'sent' : 'failed'] += 1;
        this.removeFromQueue(entry.id);
        return true;
      });
      if (keepalive) leaving.push(delivered);
      else if (!await delivered) break;
    }
    await Promise.all(leaving);
    result.queued = this.readQueue().length;
    return result;
  }

  async deliver(entry, keepalive) {
    const format = entry.f === 'json' ? 'json' : 'cbor';
    let body;
    try {
      body = base64ToBytes(entry.b);
    } catch {
      this.storage.warn(`tessera: queued signal ${entry.id} was corrupted and has been dropped`);
      return 'rejected';
    }
    this.markSending(entry.id, this.now());
    // As the page goes away: text/plain needs no CORS preflight, which a
    // leaving page may not wait for and a cross-origin sendBeacon (sent with
    // credentials) never passes. The server tells CBOR by its first byte.
    const contentType = keepalive ? 'text/plain' : CONTENT_TYPES[format];
    let response;
    try {
      response = await withTimeout((signal) => this.send({
        url: this.url, body, contentType, keepalive, signal,
      }), this.timeoutMs, `signal ${entry.id}`);
    } catch (error) {
      if (keepalive && this.beacon) {
        const blob = typeof Blob === 'function' ? new Blob([body], { type: contentType }) : body;
        // true only says the browser took it (offline it goes nowhere): the
        // entry stays queued, to go again (counted once by the server).
        if (this.beacon(this.url, blob)) return 'beacon';
      }
      const delay = this.backoff(null);
      this.waitingForNetwork = true;
      this.onEvent('retry', { id: entry.id, reason: String(error?.message ?? error), delayMs: delay });
      return 'retry';
    }
    const { status } = response;
    this.waitingForNetwork = false;
    if (status >= 200 && status < 300) {
      this.attempts = 0;
      this.notBefore = 0;
      this.onEvent('signal', { id: entry.id, status });
      return 'sent';
    }
    if (status === 408 || status === 429 || status >= 500) {
      const delay = this.backoff(response.retryAfter);
      this.onEvent('retry', { id: entry.id, status, delayMs: delay });
      return 'retry';
    }
    this.onEvent('error', { code: 'signal_rejected', message: `server answered ${status} for signal ${entry.id}` });
    return 'rejected';
  }
}

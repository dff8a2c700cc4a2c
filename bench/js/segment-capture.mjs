// Runs the real @segment/analytics-next (the browser build) inside Node with
// the least DOM it needs, and captures every request body it would send to
// api.segment.io instead of sending it. Nothing leaves the process: the
// settings come inline (cdnSettings) and fetch is replaced by a fake answering 200.

class Listeners {
  constructor() { this.map = new Map(); }
  addEventListener(type, fn) { (this.map.get(type) ?? this.map.set(type, []).get(type)).push(fn); }
  removeEventListener(type, fn) {
    this.map.set(type, (this.map.get(type) ?? []).filter((f) => f !== fn));
  }
  dispatchEvent(event) { for (const fn of this.map.get(event.type) ?? []) fn(event); return true; }
}

function memoryStorage() {
  const map = new Map();
  return {
    get length() { return map.size; },
    key: (i) => [...map.keys()][i] ?? null,
    getItem: (k) => (map.has(k) ? map.get(k) : null),
    setItem: (k, v) => { map.set(k, String(v)); },
    removeItem: (k) => { map.delete(k); },
    clear: () => map.clear(),
  };
}

/** A browser-shaped global environment; `navigate(url, title, referrer)` moves the page. */
export function installBrowserShim({ userAgent, language = 'fr-FR' } = {}) {
  const win = new Listeners();
  const doc = new Listeners();
  const cookies = new Map();
  const element = () => ({
    setAttribute() {}, getAttribute: () => null, appendChild() {}, remove() {},
    dataset: {}, style: {}, href: '', pathname: '/', host: '', hostname: '',
  });
  Object.assign(doc, {
    title: '', referrer: '', readyState: 'complete', visibilityState: 'visible',
    head: element(), body: element(), documentElement: element(), currentScript: null,
    querySelector: () => null, querySelectorAll: () => [], getElementsByTagName: () => [],
    createElement: element,
  });
  Object.defineProperty(doc, 'cookie', {
    get: () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    set: (text) => {
      const [pair] = String(text).split(';');
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    },
  });
  Object.assign(win, {
    document: doc, location: new URL('https://shop.example/'),
    localStorage: memoryStorage(), sessionStorage: memoryStorage(),
    screen: { width: 390, height: 844 }, innerWidth: 390, innerHeight: 844,
    performance: globalThis.performance,
  });
  const navigatorShim = {
    userAgent: userAgent ?? 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) ' +
        'AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    language, languages: [language], onLine: true, cookieEnabled: true,
  };
  // The library reads browser globals both from `window.*` and bare names.
  for (const [name, value] of Object.entries({
    window: globalThis, document: doc, location: win.location, localStorage: win.localStorage,
    sessionStorage: win.sessionStorage, screen: win.screen,
  })) {
    Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  Object.defineProperty(globalThis, 'navigator', { value: navigatorShim, configurable: true });
  globalThis.addEventListener = win.addEventListener.bind(win);
  globalThis.removeEventListener = win.removeEventListener.bind(win);
  globalThis.dispatchEvent = win.dispatchEvent.bind(win);
  globalThis.innerWidth = 390;
  globalThis.innerHeight = 844;
  return {
    navigate(url, title, referrer) {
      const next = new URL(url);
      globalThis.location = next;
      doc.title = title;
      doc.referrer = referrer ?? '';
    },
    hide() {
      doc.visibilityState = 'hidden';
      doc.dispatchEvent({ type: 'visibilitychange' });
      win.dispatchEvent({ type: 'pagehide' });
    },
  };
}

/** Replaces fetch; returns the list the captured requests are pushed to. */
export function captureFetch() {
  const requests = [];
  globalThis.fetch = async (url, init = {}) => {
    requests.push({ url: String(url), body: init.body ?? '', method: init.method,
                    headers: init.headers ?? {} });
    return new Response('{}', { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
  return requests;
}

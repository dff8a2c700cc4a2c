// Shared by the end-to-end tests: Debian's Chromium through playwright-core
// (never a downloaded browser), a fresh profile per browser, a log of every
// request and console message, and the admin API of the server under test.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..');

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with scripts/test-e2e.sh`);
  return value;
}

export const env = {
  get base() { return required('TESSERA_E2E_BASE'); },
  get adminKey() { return required('TESSERA_E2E_ADMIN_KEY'); },
  get writeKey() { return required('TESSERA_E2E_WRITE_KEY'); },
  // What the server itself answered (one line per request; the browser's
  // events also fire for what it takes from its cache).
  get accessLog() { return required('TESSERA_E2E_ACCESS_LOG'); },
  // The server's --site-dir: pages written there are served as they are.
  get siteDir() { return required('TESSERA_E2E_SITE_DIR'); },
  // The same server under another origin (localhost, not 127.0.0.1), which
  // the server allows: a page there uses the API cross-origin.
  get otherOrigin() { return env.base.replace('//127.0.0.1:', '//localhost:'); },
  get out() { return process.env.TESSERA_E2E_OUT ?? join(repoRoot, 'build', 'e2e'); },
};

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * A browser with a fresh user-data-dir. `log.requests` holds every request
 * URL, `log.responses` the last response by URL ({status, encoding,
 * cacheControl}: the Content-Encoding and Cache-Control or ''),
 * `log.console` every console message ({type, text}).
 */
// `settings`: more of Playwright's context options (timezoneId, locale...).
export async function openBrowser(settings = {}) {
  const userDataDir = await mkdtemp(join(tmpdir(), 'tessera-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    ...settings,
  });
  const log = { requests: [], responses: new Map(), console: [] };
  context.on('request', (request) => log.requests.push(request.url()));
  context.on('response', (response) => log.responses.set(response.url(), {
    status: response.status(),
    encoding: response.headers()['content-encoding'] ?? '',
    cacheControl: response.headers()['cache-control'] ?? '',
  }));
  context.on('console', (message) => log.console.push({ type: message.type(), text: message.text() }));
  context.on('weberror', (error) => log.console.push({ type: 'pageerror', text: String(error.error()) }));
  const page = context.pages()[0] ?? await context.newPage();
  return {
    context,
    page,
    log,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

export function signalRequests(log) {
  return log.requests.filter((url) => new URL(url).pathname === '/v1/signals');
}

export function apiRequests(log) {
  return log.requests.filter((url) => new URL(url).pathname.startsWith('/v1/'));
}

/** localStorage keys written by Tessera (the store's own keys are not). */
export async function tesseraStorageKeys(page) {
  return page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('tessera')));
}

/** The SDK instance's view of the visitor, once the snippet has booted it. */
export async function visitor(page) {
  await page.waitForFunction(() => window.tessera?.loaded === true);
  return page.evaluate(() => {
    const instance = window.tessera.instance;
    return {
      disabled: instance.disabled === true,
      id: instance.attributes().id ?? null,
      segments: instance.segments(),
      consent: instance.consent.get(),
    };
  });
}

export async function adminGet(path) {
  const response = await fetch(`${env.base}${path}`, {
    headers: { Authorization: `Bearer ${env.adminKey}` },
  });
  return { status: response.status, body: await response.json() };
}

/** The inline snippet of a demo page, as a CSP hash source. */
export async function inlineScriptHash(page = 'index.html') {
  const html = await readFile(join(repoRoot, 'demo-site', page), 'utf8');
  const match = html.match(/<script>([\s\S]*?)<\/script>/);
  if (!match) throw new Error(`no inline script in demo-site/${page}`);
  return `'sha256-${createHash('sha256').update(match[1]).digest('base64')}'`;
}

/**
 * Writes a page into the server's site directory as e2e/`name` and returns
 * its path: served for real (no request interception, which would change
 * what the browser does with requests sent as the page goes away).
 */
export async function writePage(name, html) {
  await mkdir(join(env.siteDir, 'e2e'), { recursive: true });
  await writeFile(join(env.siteDir, 'e2e', name), html);
  return `/e2e/${name}`;
}

/**
 * A page with the published snippet (js-wrapper/snippet/snippet.js) given
 * `options` (site demo and the write key unless named), then `body`.
 */
export async function snippetPage(options, body = '') {
  const snippet = await readFile(join(repoRoot, 'js-wrapper', 'snippet', 'snippet.js'), 'utf8');
  const call = "})(window, document, '/sdk/dist/boot.js', ";
  const at = snippet.lastIndexOf(call);
  if (at < 0) throw new Error('snippet.js no longer ends as expected');
  const all = { site: 'demo', writeKey: env.writeKey, ...options };
  return `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script>${snippet.slice(0, at + call.length)}${JSON.stringify(all)});</script>
</head><body>
${body}
</body></html>`;
}

/** The server's signals from visitor `vid` (the admin API's profile). */
export async function signalsOf(vid) {
  const profile = await adminGet(`/v1/admin/profiles/${encodeURIComponent(vid)}`);
  return profile.status === 200 ? profile.body.signals.map((entry) => entry.signal) : [];
}

/** The server's copy of what visitor `vid` sent, once `ready(signals)` holds (or the last try's). */
export async function waitForSignals(vid, ready, tries = 150) {
  for (let i = 0; i < tries; i++) {
    const signals = await signalsOf(vid);
    if (ready(signals)) return signals;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return signalsOf(vid);
}

/** The sum over `signals` of event `name`'s count. */
export function eventCount(signals, name) {
  return signals.reduce((n, s) => n + (s.agg?.[name]?.n ?? 0), 0);
}

// Shared by every page of the demo store: the header and footer, the consent
// banner, the cart badge, the debug panel, and access to the Tessera SDK.
// The pages hold only their own content; page scripts call
// the snippet's `window.tessera` (a queue until the SDK has loaded, then the
// SDK itself), so nothing here waits for WebAssembly before the page works.
import { cartCount } from './cart.js';

// The store remembers that the visitor has chosen (strictly necessary); the
// choice itself is kept by the SDK.
const CHOICE_KEY = 'demo-consent-choice';
const PURPOSES = ['analytics', 'personalization', 'marketing'];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The snippet's API: queues calls until the SDK has loaded. */
export function tessera() {
  return window.tessera;
}

/**
 * Resolves to the SDK instance once the snippet has booted it (a disabled
 * instance when WebAssembly could not start), or null if it never loads.
 */
export async function whenLoaded(timeoutMs = 10000) {
  for (let waited = 0; waited <= timeoutMs; waited += 25) {
    if (window.tessera?.loaded) return window.tessera.instance;
    await sleep(25);
  }
  return null;
}

// ---- slots -------------------------------------------------------------------

/** Fills the page's slots again, e.g. after consent or an identify. */
export async function refreshSlots() {
  const instance = await whenLoaded();
  if (!instance || instance.disabled) return;
  if (document.querySelector('[data-tessera-slot]')) instance.render();
  updateDebugPanel();
}

// Right after consent the SDK fetches the decision artifact on its own; when
// it arrives the slots switch to their personalized content. An artifact
// accepted while the SDK starts needs nothing here: the snippet's boot
// renders the page once the instance is ready.
function watchArtifact() {
  tessera().on('artifact', () => {
    if (window.tessera?.loaded) refreshSlots();
  });
}

// ---- header and footer ------------------------------------------------------

const HEADER_HTML = `
  <a class="logo" href="/">Tessera <span>Outdoor</span></a>
  <nav>
    <a href="/">Home</a>
    <a href="/product.html?id=trail-runner">Shoes</a>
    <a href="/product.html?id=rain-shell">Jackets</a>
    <a href="/checkout.html" class="cart-link">Cart (<span id="cart-count">0</span>)</a>
  </nav>`;

const FOOTER_HTML = `
  A demo store for Tessera: personalization
  decided in your browser. <a href="#" data-open-privacy>Privacy choices</a>`;

function setupChrome() {
  const header = document.createElement('header');
  header.className = 'site-header';
  header.innerHTML = HEADER_HTML;
  document.body.prepend(header);
  const footer = document.createElement('footer');
  footer.className = 'site-footer';
  footer.innerHTML = FOOTER_HTML;
  document.querySelector('main').after(footer);
}

// ---- consent banner ---------------------------------------------------------

const BANNER_HTML = `
  <div class="banner-text">
    <strong>Your privacy, your choice.</strong>
    This shop personalises its pages <em>on your device</em>: your browsing
    history never leaves it. With your consent we keep a profile here and
    send anonymous aggregated statistics to our own server.
  </div>
  <div class="banner-actions">
    <button type="button" data-consent-choice="all" class="primary">Accept all</button>
    <button type="button" data-consent-choice="necessary">Only necessary</button>
    <button type="button" data-consent-choice="customize">Customize</button>
  </div>
  <form class="banner-custom" hidden>
    <label><input type="checkbox" checked disabled> Necessary
      <small>the cart and this choice</small></label>
    <label><input type="checkbox" name="analytics"> Analytics
      <small>aggregated statistics sent to our server</small></label>
    <label><input type="checkbox" name="personalization"> Personalization
      <small>content chosen for you, on your device</small></label>
    <label><input type="checkbox" name="marketing"> Marketing
      <small>offers in our newsletter</small></label>
    <button type="submit" class="primary">Save choices</button>
  </form>`;

function storedChoice() {
  try {
    return JSON.parse(localStorage.getItem(CHOICE_KEY) ?? 'null');
  } catch {
    return null;
  }
}

export async function chooseConsent(update) {
  const api = tessera();
  const before = api.loaded ? api.instance.consent.get() : null;
  api.consent(update);
  // The page being read now counts once the visitor allows it (before the
  // SDK has loaded, its own first page view comes after the queued consent).
  if (before && !before.analytics && !before.personalization &&
      (update.analytics || update.personalization)) {
    api.page();
  }
  localStorage.setItem(CHOICE_KEY, JSON.stringify(update));
  document.getElementById('consent-banner').hidden = true;
  await refreshSlots();
}

function setupBanner() {
  const banner = document.createElement('section');
  banner.id = 'consent-banner';
  banner.setAttribute('role', 'dialog');
  banner.setAttribute('aria-label', 'Privacy choices');
  banner.innerHTML = BANNER_HTML;
  banner.hidden = storedChoice() !== null;
  document.body.appendChild(banner);

  const form = banner.querySelector('form');
  banner.addEventListener('click', (event) => {
    const choice = event.target.closest('[data-consent-choice]')?.dataset.consentChoice;
    if (choice === 'all') {
      chooseConsent(Object.fromEntries(PURPOSES.map((p) => [p, true])));
    } else if (choice === 'necessary') {
      chooseConsent(Object.fromEntries(PURPOSES.map((p) => [p, false])));
    } else if (choice === 'customize') {
      const current = storedChoice() ?? {};
      for (const purpose of PURPOSES) form.elements[purpose].checked = current[purpose] === true;
      form.hidden = false;
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    chooseConsent(Object.fromEntries(PURPOSES.map((p) => [p, form.elements[p].checked])));
    form.hidden = true;
  });
  for (const link of document.querySelectorAll('[data-open-privacy]')) {
    link.addEventListener('click', (event) => {
      event.preventDefault();
      banner.hidden = false;
    });
  }
}

// ---- cart badge -------------------------------------------------------------

function updateCartBadge() {
  const badge = document.getElementById('cart-count');
  if (badge) badge.textContent = String(cartCount());
}

// ---- debug panel ------------------------------------------------------------

const DEBUG_HTML = `
  <button type="button" class="debug-toggle" aria-expanded="true">Tessera debug</button>
  <div class="debug-body">
    <dl>
      <dt>SDK</dt><dd data-debug="status">loading…</dd>
      <dt>Consent</dt><dd data-debug="consent">–</dd>
      <dt>Visitor</dt><dd data-debug="visitor">–</dd>
      <dt>Segments</dt><dd data-debug="segments">–</dd>
      <dt>Cluster</dt><dd data-debug="cluster">–</dd>
      <dt>Sent</dt><dd data-debug="signals">no signal from this page yet</dd>
      <dt>Last error</dt><dd data-debug="error">none</dd>
    </dl>
    <div class="debug-actions">
      <button type="button" data-debug-action="vip" title="As if the store's backend had pushed the server's CLV prediction">Sign in as a VIP customer</button>
      <button type="button" data-debug-action="flush">Send signals now</button>
      <button type="button" data-debug-action="forget">Forget me</button>
      <button type="button" data-debug-action="privacy">Privacy choices</button>
    </div>
  </div>`;

let signalsSent = 0;

function debugField(name, text) {
  const element = document.querySelector(`#tessera-debug [data-debug="${name}"]`);
  if (element) element.textContent = text;
}

export async function updateDebugPanel() {
  const instance = window.tessera?.loaded ? window.tessera.instance : null;
  if (!instance) return;
  if (!window.TESSERA_DEMO?.writeKey) {
    debugField('status', 'config.js missing: start the store with `make demo`');
  } else {
    debugField('status', instance.disabled ? 'disabled (default content, no tracking)' : 'active');
  }
  const consent = instance.consent.get();
  debugField('consent', PURPOSES.map((p) => `${p} ${consent[p] ? '✓' : '✗'}`).join(' · '));
  const attributes = instance.attributes();
  debugField('visitor', attributes.id ?? '–');
  const segments = instance.segments();
  debugField('segments', segments.length > 0 ? segments.join(', ') : 'none');
  debugField('cluster', attributes.cluster ?? '–');
  debugField('signals', signalsSent > 0 ? `${signalsSent} signal(s) from this page, accepted`
      : 'no signal from this page yet');
}

async function runDebugAction(action) {
  const instance = await whenLoaded();
  if (!instance) return;
  if (action === 'vip') {
    instance.identify('customer-1001', { predicted_clv: 820 });
  } else if (action === 'flush') {
    await instance.flush();
  } else if (action === 'forget') {
    instance.forget();
  } else if (action === 'privacy') {
    document.getElementById('consent-banner').hidden = false;
  }
  await refreshSlots();
  updateDebugPanel();
}

function setupDebugPanel() {
  const panel = document.createElement('aside');
  panel.id = 'tessera-debug';
  panel.innerHTML = DEBUG_HTML;
  document.body.appendChild(panel);
  const toggle = panel.querySelector('.debug-toggle');
  toggle.addEventListener('click', () => {
    const open = panel.classList.toggle('collapsed') === false;
    toggle.setAttribute('aria-expanded', String(open));
  });
  panel.addEventListener('click', (event) => {
    const action = event.target.closest('[data-debug-action]')?.dataset.debugAction;
    if (action) runDebugAction(action);
  });
  whenLoaded().then((instance) => {
    if (!instance) {
      debugField('status', 'the SDK did not load');
      return;
    }
    for (const type of ['track', 'consent', 'forget']) instance.on(type, () => updateDebugPanel());
    instance.on('error', (error) => debugField('error', `${error.code}: ${error.message}`));
    instance.on('signal', () => {
      signalsSent += 1;
      updateDebugPanel();
    });
    updateDebugPanel();
  });
}

// ---- start ------------------------------------------------------------------

export function startPage() {
  setupChrome();
  watchArtifact();
  setupBanner();
  setupDebugPanel();
  updateCartBadge();
  document.addEventListener('demo:cart', updateCartBadge);
}

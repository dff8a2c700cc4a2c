// createTessera(): one visitor's personalization engine in the page. The wasm
// core decides everything (consent gate, profile, segments, content, signal);
// this layer wires it to storage, the network, the DOM and the clock, and
// turns misuse into TypeErrors. Runtime outcomes are typed results.
import { loadModule, webCrypto } from './loader.js';
import { parseResult, requireObject, requireString, toJson } from './core.js';
import { createEngine } from './engine.js';
import { SiteStorage, base64ToBytes, bytesToBase64, storageBackend } from './storage.js';
import {
  DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_SIGNALS_PATH, Transport, withTimeout,
} from './transport.js';
import {
  listenGoogleConsentMode, listenTcf, listenWhenPresent, readGlobalPrivacyControl,
} from './consent-sources.js';
import {
  hideUndecidedSlots, htmlFiller, markReady, renderSlots, slotElements, watchAddedSlots,
} from './dom.js';
import { watchNavigation } from './navigation.js';
import { browserContext, withoutQuery } from './context.js';

const PURPOSES = ['necessary', 'analytics', 'personalization', 'marketing'];
const LEASE_MS = 10_000;
// More parts than records a signal can hold (docs/signal.md, size caps).
const MAX_SIGNAL_PARTS = 512;

// Decisions from decideAll() are shared between calls, so nobody may edit one.
function freezeDecision(decision) {
  if (decision.exposure) Object.freeze(decision.exposure);
  return Object.freeze(decision);
}

// The artifact's `signals` defaults (docs/artifact.md), used when neither the
// page nor the artifact says otherwise.
const DEFAULT_FLUSH_INTERVAL_MS = 300_000;
const DEFAULT_FORMAT = 'cbor';

let crypto = globalThis.crypto;  // set by createTessera() where it is no global

// The signal count the tabs share. One that is no count (another script,
// a half-written value) starts again: the server refuses a seq past
// 2^53 - 1, and a count stuck at Infinity had every signal refused.
function storedSeq(storage) {
  const seq = Number(storage.get('seq'));
  return Number.isSafeInteger(seq + 1) && seq > 0 ? seq : 0;
}

function randomId(bytes = 16) {
  const data = new Uint8Array(bytes);
  crypto.getRandomValues(data);
  return [...data].map((b) => b.toString(16).padStart(2, '0')).join('');
}

// What on() can listen to (TesseraEvent in index.d.ts); a misspelt name
// would otherwise wait forever.
export const EVENT_NAMES = ['artifact', 'track', 'decision', 'consent', 'signal', 'retry', 'error', 'forget'];

function requireEventName(type, what) {
  requireString(type, `${what}: the event`);
  if (!EVENT_NAMES.includes(type)) {
    throw new TypeError(`${what}: "${type}" is not an event (${EVENT_NAMES.join(', ')})`);
  }
}

// Returns the options to use: a copy of the caller's, with `storage` as a backend.
function checkOptions(given) {
  requireObject(given, 'createTessera: options');
  // Own members only: on a page whose prototypes were polluted, an inherited
  // consentPolicy, artifact or endpoint would be taken as the site's.
  const options = { __proto__: null, ...given };
  const { site, writeKey, endpoint, artifact, artifactUrl } = options;
  // The rule of the artifact's and the signals' site (docs/artifact.md).
  if (typeof site !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(site)) {
    throw new TypeError('createTessera: site must be 1-64 of [A-Za-z0-9_.-]');
  }
  if (endpoint !== undefined) {
    requireString(endpoint, 'createTessera: endpoint');
    requireString(writeKey, 'createTessera: writeKey (needed with endpoint)');
  }
  if (artifact !== undefined) requireObject(artifact, 'createTessera: artifact');
  if (artifactUrl !== undefined) requireString(String(artifactUrl), 'createTessera: artifactUrl');
  for (const name of ['transport', 'beacon', 'fetch', 'random']) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new TypeError(`createTessera: ${name} must be a function`);
    }
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new TypeError('createTessera: now must be a function returning epoch ms');
  }
  if (options.format !== undefined && !['cbor', 'json'].includes(options.format)) {
    throw new TypeError('createTessera: format must be "cbor" or "json"');
  }
  if (options.trustedTypesPolicy != null && typeof options.trustedTypesPolicy.createHTML !== 'function') {
    throw new TypeError('createTessera: trustedTypesPolicy must be a Trusted Types policy (with createHTML)');
  }
  // Durations and sizes; null or undefined takes the default. A timer's
  // delay of 2^31 ms or more fires at once: a flush every millisecond, or
  // every request abandoned as it starts.
  for (const [name, least, most = 2 ** 31] of [['requestTimeoutMs', '> 0 and < 2^31'],
    ['flushIntervalMs', '>= 0 and < 2^31 (0 turns the timer off)'], ['storageCapBytes', '>= 0', Infinity],
    ['antiFlickerMs', '>= 0 and < 2^31']]) {
    const value = options[name];
    if (value != null && !(Number.isFinite(value) && value < most && (value > 0 || (least.startsWith('>=') && value === 0)))) {
      throw new TypeError(`createTessera: ${name} must be a number ${least}`);
    }
  }
  if (options.previewParam != null && typeof options.previewParam !== 'string') {
    throw new TypeError('createTessera: previewParam must be a string (or null: no previews)');
  }
  if (options.on !== undefined) {
    requireObject(options.on, 'createTessera: on');
    for (const [type, listeners] of Object.entries(options.on)) {
      requireEventName(type, 'createTessera: on');
      if (![listeners].flat().every((listener) => typeof listener === 'function')) {
        throw new TypeError(`createTessera: on.${type} must be a function or an array of functions`);
      }
    }
  }
  if (options.storage !== undefined) options.storage = storageBackend(options.storage);
  return options;
}

/**
 * The slot -> variant choices of the page URL's preview parameter
 * (`?tessera_preview=hero:vip,banner:b`): a marketer's check of each
 * variant. Empty without one, or when `param` is null.
 */
function readPreviews(location, param = 'tessera_preview') {
  const value = param && location ? new URLSearchParams(location.search).get(param) : null;
  const previews = Object.create(null);  // no inherited keys: any slot id is safe
  for (const pair of value ? value.split(',') : []) {
    const [slot, variant] = pair.split(':');
    if (slot && variant) previews[slot] = variant;
  }
  return previews;
}

/**
 * The `signals` object of an artifact the core has accepted. The core does
 * not hand its parsed artifact back, so the few fields this layer needs are
 * read from the same text here; anything unexpected means the defaults.
 */
function artifactInfo(text) {
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  return {
    version: parsed?.version === undefined ? null : String(parsed.version),
    // Own members only (the core accepted them): a polluted
    // Object.prototype.endpoint would otherwise take the signals elsewhere.
    signals: { __proto__: null, ...parsed?.signals },
  };
}

// At most a day: a proxy's "max-age=31536000" would pin an old artifact.
const MAX_ARTIFACT_FRESHNESS_MS = 24 * 3600 * 1000;

/** How long a response may be used without asking again (Cache-Control). */
export function freshnessMs(cacheControl) {
  const directives = String(cacheControl ?? '').toLowerCase();
  if (/(^|,)\s*(no-cache|no-store)\b/.test(directives)) return 0;
  const maxAge = /(^|,)\s*max-age\s*=\s*"?(\d+)/.exec(directives);
  return maxAge ? Math.min(MAX_ARTIFACT_FRESHNESS_MS, Number(maxAge[2]) * 1000) : 0;
}

/** The instance handed out when WebAssembly cannot run: defaults, no tracking. */
function disabledInstance(reason, { site, storage }) {
  const no = { ok: false, error: { code: 'disabled', message: reason } };
  return {
    disabled: true,
    consent: { get: () => ({ ...Object.fromEntries(PURPOSES.map((p) => [p, p === 'necessary'])),
                             policyVersion: '', gpc: false }),
               set: () => no, onChange: () => () => {} },
    track: () => no, page: () => no, identify: () => no, setContext: () => {}, loadArtifact: () => no,
    attributes: () => ({}), segments: () => [], decide: () => no, decideAll: () => [],
    render: (root = globalThis.document) => { slotElements(root).forEach(markReady); return []; },
    flush: async () => ({ sent: 0, failed: 0, queued: 0 }),
    // What earlier pages stored is still erased on request.
    forget: () => new SiteStorage({ site, backend: storage }).clear(['consent']),
    on: () => () => {}, debug: () => {}, destroy: () => {},
  };
}

class Tessera {
  constructor(module, options) {
    this.options = options;
    this.site = options.site;
    this.now = options.now ?? Date.now;
    this.win = options.window ?? (typeof window !== 'undefined' ? window : undefined);
    this.doc = options.document ?? this.win?.document;
    this.listeners = new Map();
    this.shownVariants = new WeakMap();  // slot element -> variant counted as shown
    // Listeners given up front also hear what happens while the instance
    // starts (e.g. the 'artifact' event of the initial load).
    for (const [type, listeners] of Object.entries(options.on ?? {})) {
      for (const listener of [listeners].flat()) this.on(type, listener);
    }
    this.artifactSignals = { __proto__: null };  // see artifactInfo()
    this.attached = false;
    this.flushTimer = null;
    this.flushTimerMs = 0;
    this.cleanups = [];
    this.debugOn = false;
    this.tabId = randomId(8);
    this.storage = new SiteStorage({
      site: this.site, backend: options.storage, capBytes: options.storageCapBytes,
      warn: options.warn ?? console.warn,
    });
    // Previewed slots show the variant the URL names; nothing about them is
    // counted (the core records no exposure, this layer no impression or click).
    this.previews = readPreviews(this.win?.location, options.previewParam);
    const previewed = Object.entries(this.previews).map(([slot, variant]) => `${slot}=${variant}`);
    if (previewed.length) {
      this.storage.warnOnce('preview', `previewing ${previewed.join(', ')} (not counted)`);
    }
    this.engine = createEngine(module, toJson({
      site: this.site,
      // Without a page policy the artifact's applies (opt-in until then).
      ...(options.consentPolicy ? { consentPolicy: options.consentPolicy } : {}),
      visitorId: randomId(16),
      gpc: readGlobalPrivacyControl(this.win?.navigator),
      preview: this.previews,
    }, 'options'));
    // The core reads the options it is given (the consent policy among
    // them); one it cannot read would otherwise start an engine for no site.
    const initError = this.engine._initError();
    if (initError) {
      this.engine.delete();
      throw new TypeError(`createTessera: ${initError}`);
    }
    this.transport = options.endpoint ? new Transport({
      endpoint: options.endpoint, writeKey: options.writeKey, storage: this.storage,
      send: options.transport, beacon: options.beacon, now: this.now,
      timeoutMs: this.requestTimeoutMs(),
      random: options.random, isLeader: (claim) => this.claimLeadership(claim),
      onEvent: (type, detail) => {
        if (type === 'retry') this.scheduleRetry(detail.delayMs);
        this.emit(type, detail);
      },
    }) : null;
    this.consent = {
      get: () => this.consentState(),
      set: (update) => this.setConsent(update, 'api'),
      onChange: (callback) => this.on('consent', callback),
    };
    this.seq = storedSeq(this.storage);
    this.applyContext({});
  }

  // ---- events --------------------------------------------------------------
  on(type, callback) {
    requireEventName(type, 'on');
    if (typeof callback !== 'function') throw new TypeError('on: callback must be a function');
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(callback);
    return () => this.listeners.get(type)?.delete(callback);
  }

  emit(type, detail) {
    if (this.debugOn) console.debug(`tessera: ${type}`, detail);
    const listeners = this.listeners.get(type);
    if (!listeners) return;  // the common case, on every decision: no garbage
    for (const callback of listeners) {
      try { callback(detail); } catch (error) { console.error('tessera: listener failed', error); }
    }
  }

  debug(on = true) { this.debugOn = !!on; }

  // ---- consent -------------------------------------------------------------
  consentState() {
    return parseResult(this.engine._consent());
  }

  allows(purpose) {
    return this.consentState()[purpose] === true;
  }

  setConsent(update, source) {
    requireObject(update, 'consent.set: update');
    const result = parseResult(this.engine._setConsent(toJson(update, 'update'), source, this.now()));
    if (!result.ok) return result;
    this.storage.set('consent', this.engine._consentRecord(), { necessary: true });
    this.applyStoragePermission();
    if (result.withdrawn.length > 0) this.purge(result.withdrawn);
    if (result.changed) this.emit('consent', this.consentState());
    this.afterConsent();
    return result;
  }

  // Storing needs a purpose that uses the stored data; until then (and on the
  // first call, before the stored profile is read back) nothing is written.
  applyStoragePermission({ save = true } = {}) {
    const mayStore = this.allows('analytics') || this.allows('personalization');
    this.storage.setPersistent(mayStore);
    if (mayStore && save) this.persistProfile();
  }

  // Withdrawal erases what depended on the purpose, locally and in the queue.
  purge(withdrawn) {
    if (withdrawn.includes('analytics')) {
      this.forgetQueue();
      this.storage.remove('seq');
    } else if (withdrawn.includes('marketing')) {
      this.transport?.forgetMarketing();
    }
    if (!this.allows('analytics') && !this.allows('personalization')) {
      this.storage.clear(['consent']);
    } else {
      this.saveProfile();
    }
    if (withdrawn.includes('personalization')) this.renderAgain();
  }

  // A withdrawal or an erasure shows at once: content chosen for the visitor
  // does not stay on screen. Only a page this instance renders (render() on
  // the document); one that decides for itself hears the 'consent' event.
  renderAgain() {
    if (this.watchingSlots) this.render();
  }

  // An artifact's policy changes what is granted until the visitor chooses.
  // A stricter one withdraws in the core, which erases its own copy; what was
  // stored or queued under it goes too, as after set(). A looser one (opt-out)
  // lets the profile be stored from now on.
  followArtifactConsent(before) {
    const after = this.consentState();
    if (PURPOSES.every((p) => before[p] === after[p])) return;
    const withdrawn = PURPOSES.filter((p) => before[p] && !after[p]);
    if (withdrawn.length) {
      this.storage.set('consent', this.engine._consentRecord(), { necessary: true });
      this.applyStoragePermission({ save: false });
      this.purge(withdrawn);
    } else {
      const wasStoring = this.storage.persistent;
      this.applyStoragePermission({ save: false });
      // The profile of earlier pages could not be read until now (at the
      // start of a page, before any event).
      if (!wasStoring && this.storage.persistent) this.restoreProfile();
    }
    this.emit('consent', after);
  }

  afterConsent() {
    if ((this.allows('personalization') || this.allows('analytics')) && this.pendingArtifactUrl) {
      const url = this.pendingArtifactUrl;
      this.pendingArtifactUrl = null;
      this.loadArtifactFrom(url);
    }
  }

  // ---- storage -------------------------------------------------------------
  restoreProfile() {
    const text = this.storage.get('profile');
    if (!text) return;
    let result;
    try {
      result = parseResult(this.engine._restoreProfile(base64ToBytes(text)));
    } catch (error) {
      result = { ok: false, error: { message: error.message } };
    }
    if (!result.ok) {
      this.storage.warn(`tessera: stored profile was unreadable (${result.error.message}); starting fresh`);
      this.storage.remove('profile');
    }
  }

  saveProfile() {
    const bytes = this.engine._saveProfile();
    if (bytes.length > 0) this.storage.set('profile', bytesToBase64(bytes));
  }

  // Other tabs may have written the profile since we read it: take theirs
  // first so counts from every tab add up (one writer at a time: this tab).
  syncFromStorage() {
    const stamp = this.storage.get('profile-stamp');
    if (stamp && stamp !== this.profileStamp) {
      this.restoreProfile();
      this.profileStamp = stamp;
    }
  }

  // Another tab's consent choice or erasure (the browser's `storage` event,
  // localStorage only) applies here at once; otherwise this tab would keep
  // sending, or write back the profile the visitor just erased.
  followOtherTab({ key, newValue, oldValue }) {
    if (key === this.storage.key('consent') && newValue != null) {
      this.adoptConsent(newValue);
    } else if (key === this.storage.key('profile-stamp') && newValue == null && oldValue != null &&
        this.storage.persistent) {
      this.forgetHere();  // erased by forget(): a withdrawal arrives as consent first
    }
  }

  // Shown again from the back/forward cache: meanwhile another page may have
  // changed the consent or erased everything, and Chromium delivers the
  // storage events it held back only after pageshow. Catching up first keeps
  // this page view from writing back what was withdrawn or erased.
  catchUp() {
    const consent = this.storage.get('consent');
    if (consent) this.adoptConsent(consent);
    if (this.profileStamp && this.storage.persistent && !this.storage.get('profile-stamp')) {
      this.forgetHere();
    }
  }

  adoptConsent(record) {
    const before = this.consentState();
    if (!parseResult(this.engine._restoreConsent(record, this.now())).ok) return;
    const after = this.consentState();
    this.storage.setPersistent(this.allows('analytics') || this.allows('personalization'));
    if (before.analytics && !after.analytics) this.forgetQueue();
    else if (before.marketing && !after.marketing) this.transport?.forgetMarketing();
    if (before.personalization && !after.personalization) this.renderAgain();
    if (PURPOSES.some((p) => before[p] !== after[p])) this.emit('consent', after);
    this.afterConsent();
  }

  persistProfile() {
    if (!this.storage.persistent) return;
    this.saveProfile();
    // Unique across tabs (tabId) and writes (the count): all a reader compares.
    this.profileWrites = (this.profileWrites ?? 0) + 1;
    this.profileStamp = `${this.tabId}:${this.profileWrites}`;
    this.storage.set('profile-stamp', this.profileStamp);
  }

  // The sending lease: `claim` takes it when free, otherwise only our own
  // lease is renewed (a page that released it keeps no claim on it). Two
  // tabs claiming in the same instant may both send (the server counts a
  // signal once); Web Locks would close that gap, but Chrome keeps a page
  // that holds a lock at pagehide (a send under way) out of the
  // back/forward cache.
  claimLeadership(claim = true) {
    const now = this.now();
    let lease = null;
    try { lease = JSON.parse(this.storage.get('leader') ?? 'null'); } catch { lease = null; }
    // A lease runs at most LEASE_MS: a longer one (damaged, or written by a
    // tab whose clock was ahead) would stop every tab from sending for good.
    const held = lease && lease.until > now && lease.until <= now + LEASE_MS;
    if (held && lease.tab !== this.tabId) return false;
    if (claim || lease?.tab === this.tabId) {
      this.storage.set('leader', JSON.stringify({ tab: this.tabId, until: now + LEASE_MS }));
    }
    return true;
  }

  // A hidden page (another tab in front, or this page being left for the
  // next one on the same site) hands the lease over at once, so the page in
  // front can send without waiting for the lease to run out.
  releaseLeadership() {
    let lease = null;
    try { lease = JSON.parse(this.storage.get('leader') ?? 'null'); } catch { lease = null; }
    if (lease && lease.tab === this.tabId) this.storage.remove('leader');
  }

  // ---- tracking ------------------------------------------------------------
  track(name, properties = {}) {
    requireString(name, 'track: name');
    requireObject(properties, 'track: properties');
    this.syncFromStorage();
    const timestamp = properties.timestamp ?? null;
    const result = parseResult(this.engine._track(name, toJson(properties, 'properties'),
        toJson(timestamp, 'timestamp'), this.now()));
    if (result.ok) {
      this.persistProfile();
      this.emit('track', result.event);
    } else if (result.error.code !== 'failed_precondition') {
      this.emit('error', result.error);
    }
    return result;
  }

  page(properties = {}) {
    requireObject(properties, 'page: properties');
    this.applyContext();  // a new page, perhaps a new offset (summer time)
    const location = this.win?.location;
    // Without query or fragment, as the context (an OAuth callback's token
    // travels in the fragment, and 'track' listeners hear this event).
    return this.track('page_view', {
      ...(location ? { url: withoutQuery(location.href), path: location.pathname } : {}),
      ...(this.doc?.title ? { title: this.doc.title } : {}),
      ...(this.doc?.referrer ? { referrer: withoutQuery(this.doc.referrer) } : {}),
      ...properties,
    });
  }

  identify(userId, traits = {}) {
    requireString(userId, 'identify: userId');
    requireObject(traits, 'identify: traits');
    const result = parseResult(this.engine._identify(userId, toJson(traits, 'traits'), this.now()));
    if (result.ok) this.persistProfile();
    return result;
  }

  // What the page sets goes over what the browser tells (browserContext).
  setContext(context) {
    requireObject(context, 'setContext: context');
    this.applyContext({ ...context });
  }

  applyContext(site = this.siteContext) {
    // Within one page and quarter hour (when offsets change, if ever), with
    // the same site values, the context is the same: nothing to build.
    const href = this.win?.location?.href;
    const quarter = Math.floor(this.now() / 900_000);
    if (site === this.siteContext && href === this.contextHref && quarter === this.contextQuarter) return;
    const text = toJson({ ...browserContext(this.win, this.doc, this.now()), ...site }, 'context');
    if (text !== this.appliedContext) {
      const result = parseResult(this.engine._setContext(text));
      if (!result.ok) throw new TypeError(`setContext: ${result.error.message}`);
      this.appliedContext = text;
    }
    this.siteContext = site;
    this.contextHref = href;
    this.contextQuarter = quarter;
  }

  // ---- decisions -----------------------------------------------------------
  attributes() {
    this.syncFromStorage();
    return parseResult(this.engine._attributes(this.now()));
  }

  segments() {
    this.syncFromStorage();
    return parseResult(this.engine._segments(this.now()));
  }

  decide(slotId) {
    requireString(slotId, 'decide: slotId');
    this.syncFromStorage();
    return this.decideAt(slotId, this.now());
  }

  // The core derives attributes and segments once per (profile, time): the
  // slots of one render share a timestamp so that work is done once, not
  // again each time the clock ticks between two slots.
  decideAt(slotId, now) {
    const decision = parseResult(this.engine._decide(slotId, now));
    if (decision.ok) this.emit('decision', decision);
    return decision;
  }

  /**
   * Decides every slot of the artifact in one call into the core. Like
   * decide(), it records an experiment exposure for each slot that runs one,
   * so use it when all of the artifact's slots are shown.
   */
  decideAll() {
    this.syncFromStorage();
    // The core sends only the decisions that changed since its previous
    // answer to this call (null for the others), so an unchanged slot costs
    // no parsing: its previous object, frozen since, is handed out again.
    // The all-unchanged answer ("[null,...]") is remembered, so the usual
    // case is a string comparison instead of a parse.
    const text = this.engine._decideAll(this.now());
    const previous = this.lastDecisions ?? [];
    let decisions;
    if (text === this.unchangedText) {
      decisions = previous.slice();
    } else {
      const changes = parseResult(text);
      decisions = changes.map((d, i) => (d ? freezeDecision(d) : previous[i]));
      if (changes.length === previous.length && !changes.some(Boolean)) this.unchangedText = text;
    }
    this.lastDecisions = decisions;
    if (this.debugOn || this.listeners.has('decision')) {
      for (const decision of decisions) this.emit('decision', decision);
    }
    return decisions;
  }

  render(root = this.doc) {
    if (root != null && typeof root.querySelectorAll !== 'function') {
      throw new TypeError('render: root must be a Document or an Element');
    }
    this.syncFromStorage();
    const now = this.now();
    this.fillHtml ??= htmlFiller(this.win, (message) => this.storage.warnOnce('html', message),
        this.options.trustedTypesPolicy);
    const applied = renderSlots(root, (slot) => {
      const decision = this.decideAt(slot, now);
      return decision.ok ? decision : null;
    }, this.fillHtml, (decision, element) => {
      // One impression per element and variant: rendering again (after
      // consent, a new artifact, an identify) shows nothing new.
      // Before consent nothing is counted, so the first render after it counts.
      if (!this.allows('analytics') || decision.source === 'preview' ||
          this.shownVariants.get(element) === decision.variant) return;
      this.shownVariants.set(element, decision.variant);
      this.engine._recordImpression(decision.slot, decision.variant);
    }, ({ slot, variant }) => !this.attached ||  // after destroy(), nobody counts
      // Only a previewed variant goes uncounted: a preview naming no variant
      // of the slot previews nothing there.
      this.previews[slot] === variant || this.engine._recordClick(slot, variant));
    this.revealSlots?.();
    // Once the page has had its slots filled, those it adds later (a
    // single-page app's next view, a lazy section) are filled as they come.
    if (root === this.doc && this.attached && !this.watchingSlots) {
      this.watchingSlots = true;
      this.cleanups.push(watchAddedSlots(this.win, root, (element) => this.render(element)));
    }
    return applied;
  }

  // ---- artifact ------------------------------------------------------------
  loadArtifact(artifact) {
    const text = typeof artifact === 'string' ? artifact : toJson(artifact, 'artifact');
    const before = this.consentState();
    const result = parseResult(this.engine._loadArtifact(text, this.now()));
    if (!result.ok) {
      this.emit('error', { code: 'invalid_artifact', message: result.error.message });
      return result;
    }
    this.followArtifactConsent(before);
    const { version, signals } = artifactInfo(text);
    this.artifactText = text;
    this.applySignalSettings(signals);
    this.emit('artifact', { version });
    return result;
  }

  // ---- signal settings: the page's options win over the artifact's --------
  signalFormat() {
    return this.options.format ?? this.artifactSignals.format ?? DEFAULT_FORMAT;
  }

  requestTimeoutMs() {
    return this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  flushIntervalMs() {
    return this.options.flushIntervalMs ?? this.artifactSignals.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
  }

  applySignalSettings(signals) {
    this.artifactSignals = signals;
    if (this.transport) {
      // The page's `endpoint` is the base a path is resolved against; no
      // endpoint on the page means nothing is sent, whatever the artifact says.
      this.transport.setTarget(typeof signals.endpoint === 'string' ? signals.endpoint : DEFAULT_SIGNALS_PATH);
    }
    this.armFlushTimer();
  }

  // Signals are aggregates: flushing rarely (and always when the page is
  // hidden) sends far fewer bytes than per-event trackers do. The timer is
  // set again only when the interval changes, so a reloaded artifact with
  // the same settings does not postpone the next flush.
  armFlushTimer() {
    if (!this.attached || !this.transport) return;
    const interval = this.flushIntervalMs();
    if (interval === this.flushTimerMs) return;
    clearInterval(this.flushTimer);
    this.flushTimer = null;
    this.flushTimerMs = interval;
    if (interval > 0) this.flushTimer = setInterval(() => this.flush(), interval);
  }

  // Stale-while-revalidate: a stored copy is applied at once, so a returning
  // visitor's page is decided without waiting for the network. While the
  // copy is fresh (the response's Cache-Control max-age) nothing is asked;
  // after that the request asks whether it changed (If-None-Match; a manual
  // conditional request bypasses the browser's HTTP cache, hence the
  // freshness kept here) and only a different artifact is applied again and
  // announced. Resolves when the request, if any, has settled.
  async loadArtifactFrom(url) {
    const fetchImpl = this.options.fetch ?? globalThis.fetch?.bind(globalThis);
    if (!fetchImpl) return { ok: false, error: { code: 'no_fetch', message: 'fetch is not available' } };
    const cached = this.storage.get('artifact');
    if (cached && cached !== this.artifactText && !this.loadArtifact(cached).ok) {
      this.storage.warn('tessera: the stored artifact was unreadable and has been reset');
      for (const name of ['artifact', 'artifact-etag', 'artifact-fresh-until']) this.storage.remove(name);
    }
    // Only a copy that loaded may be kept or revalidated: a 304 must leave a usable one.
    const usable = cached && cached === this.artifactText;
    // Fresh for at most a day from now, whatever was stored (a damaged value
    // would otherwise keep the copy from ever being revalidated).
    const freshFor = Number(this.storage.get('artifact-fresh-until')) - this.now();
    if (usable && freshFor > 0 && freshFor <= MAX_ARTIFACT_FRESHNESS_MS) {
      return { ok: true, changed: false };
    }
    const etag = usable ? this.storage.get('artifact-etag') : null;
    try {
      // The body counts too: headers followed by silence would hold the
      // start just the same.
      const { response, text } = await withTimeout(async (signal) => {
        const answer = await fetchImpl(String(url), {
          headers: etag ? { 'If-None-Match': etag } : {},
          credentials: 'omit',
          signal,
        });
        return { response: answer, text: answer.ok ? await answer.text() : '' };
      }, this.requestTimeoutMs(), 'the artifact request');
      if (response.status === 304 && etag) {
        this.keepFreshFor(response);
        return { ok: true, changed: false };
      }
      if (!response.ok) throw new Error(`artifact request answered ${response.status}`);
      const result = text === this.artifactText ? { ok: true, changed: false } : this.loadArtifact(text);
      if (result.ok) {
        this.storage.set('artifact', text);
        const newEtag = response.headers.get('ETag');
        if (newEtag) this.storage.set('artifact-etag', newEtag);
        else this.storage.remove('artifact-etag');
        this.keepFreshFor(response);
      }
      return result;
    } catch (error) {
      const failure = { code: 'artifact_unavailable', message: error.message };
      this.emit('error', failure);
      return { ok: false, error: failure };
    }
  }

  keepFreshFor(response) {
    const ms = freshnessMs(response.headers.get('Cache-Control'));
    if (ms > 0) this.storage.set('artifact-fresh-until', String(this.now() + ms));
    else this.storage.remove('artifact-fresh-until');
  }

  // ---- signals -------------------------------------------------------------
  // A failed send is tried again when its backoff ends, not only at the next
  // timer flush or page hide (which may be minutes away).
  scheduleRetry(delayMs) {
    if (!this.attached) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.transport.flush();
    }, delayMs);
  }

  async flush({ keepalive = false } = {}) {
    if (!this.transport) return { sent: 0, failed: 0, queued: 0 };
    // A signal over the artifact's maxBatchBytes comes out of the core in
    // parts, one per call, each its own signal.
    for (let part = 0; part < MAX_SIGNAL_PARTS && this.allows('analytics'); part++) {
      const id = randomId(16);
      const format = this.signalFormat();
      // Other tabs number their signals from the same count.
      this.seq = Math.max(this.seq, storedSeq(this.storage));
      const bytes = this.engine._flush(id, this.seq + 1, format, this.now());
      if (bytes.length === 0) break;
      this.seq += 1;
      this.storage.set('seq', String(this.seq));
      this.transport.enqueue({ id, bytes, format, marketing: this.allows('marketing') });
    }
    if (!this.allows('analytics')) return { sent: 0, failed: 0, queued: 0 };
    return this.transport.flush({ keepalive });
  }

  forget() {
    this.storage.clear(['consent']);
    this.forgetHere();
  }

  // This tab's part of an erasure: a new visitor, nothing pending or queued.
  forgetHere() {
    this.engine._forget(randomId(16));
    this.profileStamp = undefined;
    this.forgetQueue();
    this.emit('forget', {});
    this.renderAgain();
  }

  forgetQueue() {
    this.transport?.clear();
    this.seq = 0;
  }

  destroy() {
    this.attached = false;
    this.revealSlots?.();  // nothing will decide them now: their defaults show
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.engine.delete();
  }

  // ---- page wiring ---------------------------------------------------------
  attachToPage() {
    const win = this.win;
    const doc = this.doc;
    this.cleanups.push(listenWhenPresent(win, listenTcf,
        (tcData) => this.setConsent({ tcf: tcData }, 'tcf')));
    this.cleanups.push(listenWhenPresent(win, listenGoogleConsentMode,
        (state) => this.setConsent({ gcm: state }, 'gcm')));
    if (win?.addEventListener) {
      this.cleanups.push(watchNavigation(win, (restored) => {
        if (restored) this.catchUp();
        this.page();
        this.render();
      }, this.options.spa !== false));
    }
    if (doc?.addEventListener) {
      // 'hidden' is the last reliable moment on mobile; no unload listeners so
      // the page stays eligible for the back/forward cache.
      const onHidden = () => {
        if (doc.visibilityState !== 'hidden') return;
        // flush() has claimed the lease (or not) before it returns.
        this.flush({ keepalive: true });
        this.releaseLeadership();
      };
      doc.addEventListener('visibilitychange', onHidden);
      this.cleanups.push(() => doc.removeEventListener('visibilitychange', onHidden));
    }
    if (win?.addEventListener) {
      const onStorage = (event) => this.followOtherTab(event);
      win.addEventListener('storage', onStorage);
      this.cleanups.push(() => win.removeEventListener('storage', onStorage));
      const onOnline = () => {
        this.transport?.online();
        this.transport?.flush();
      };
      win.addEventListener('online', onOnline);
      this.cleanups.push(() => win.removeEventListener('online', onOnline));
    }
    this.attached = true;
    this.armFlushTimer();
    this.cleanups.push(() => {
      clearTimeout(this.retryTimer);
      clearInterval(this.flushTimer);
      this.flushTimer = null;
      this.flushTimerMs = 0;
    });
  }
}

/**
 * Creates the instance. Never rejects for runtime problems: when WebAssembly
 * is unavailable (e.g. blocked by CSP) it resolves to an instance that shows
 * default content and tracks nothing, after one console error.
 */
export async function createTessera(options) {
  options = checkOptions(options);
  const doc = options.document ?? (typeof document !== 'undefined' ? document : undefined);
  const reveal = hideUndecidedSlots(doc, options.antiFlickerMs ?? 300);
  let module;
  try {
    crypto = await webCrypto();
    module = await loadModule(options.wasmUrl);
  } catch (error) {
    console.error(`tessera: the WebAssembly core could not start (${error.message}); ` +
        "showing default content without tracking. If a Content-Security-Policy is set, " +
        "script-src needs 'wasm-unsafe-eval'.");
    reveal();
    const instance = disabledInstance(error.message, options);
    instance.render(doc);
    return instance;
  }
  const instance = new Tessera(module, options);
  instance.revealSlots = reveal;
  const stored = instance.storage.get('consent');
  if (stored) {
    const restored = parseResult(instance.engine._restoreConsent(stored, instance.now()));
    if (!restored.ok) {
      instance.storage.warn(`tessera: stored consent was unreadable (${restored.error.message}); asking again`);
      instance.storage.remove('consent');
    }
  }
  instance.applyStoragePermission({ save: false });
  instance.restoreProfile();
  if (options.artifact) instance.loadArtifact(options.artifact);
  // A purpose refused since the last page (Global Privacy Control, a new
  // policy, an unreadable choice) erases what was kept under it, as a
  // withdrawal does: otherwise a later grant would send the old queue.
  const refused = PURPOSES.filter((p) => !instance.allows(p));
  if (refused.length) instance.purge(refused);
  if (options.artifactUrl) {
    if (instance.allows('personalization') || instance.allows('analytics')) {
      const request = instance.loadArtifactFrom(options.artifactUrl);
      // A stored copy decides this page; without one, the request must.
      if (!instance.artifactText) await request;
    } else {
      instance.pendingArtifactUrl = options.artifactUrl;  // no request before consent
    }
  }
  instance.attachToPage();
  return instance;
}

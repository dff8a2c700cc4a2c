// Hand-written types for tessera-sdk.

export type Purpose = 'necessary' | 'analytics' | 'personalization' | 'marketing';

export interface ConsentState {
  necessary: true;
  analytics: boolean;
  personalization: boolean;
  marketing: boolean;
  policyVersion: string;
  /** The browser's Global Privacy Control signal, as the SDK read it at start. */
  gpc: boolean;
}

export interface TesseraError {
  code: string;
  message: string;
}

export type Outcome<T = {}> = ({ ok: true } & T) | { ok: false; error: TesseraError };

export interface ConsentChange {
  changed: boolean;
  withdrawn: Purpose[];
}

/** An experiment's assignment of this visitor (GrowthBook's result fields). */
export interface Exposure {
  key: string;
  /** Index of the variation, 0 outside the experiment. */
  variation: number;
  variant: string;
  inExperiment: boolean;
  inHoldout: boolean;
  /** The attribute hashed (e.g. 'id', 'userId'). */
  hashAttribute: string;
  /** The visitor's hash in [0, 1), which picked the variation. */
  bucket: number;
}

export interface Decision {
  slot: string;
  variant: string;
  source: 'rule' | 'experiment' | 'default' | 'none' | 'preview';
  html: string;
  exposure?: Exposure;
  /** Why the variant's template did not render (the default shows instead). */
  renderError?: string;
}

export interface FlushResult {
  sent: number;
  failed: number;
  queued: number;
}

export interface StorageBackend {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  keys(): string[];
}

export interface SendRequest {
  url: string;
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  keepalive: boolean;
  /** Aborted when the request timeout (requestTimeoutMs) passes. */
  signal?: AbortSignal;
}

export type Sender = (request: SendRequest) => Promise<{ status: number; retryAfter?: string | null }>;

export interface ConsentPolicy {
  mode: 'opt-in' | 'opt-out';
  /**
   * Every signal carries it: at most 64 bytes (longer is a TypeError), and
   * nothing shaped like an email address (the server refuses such signals).
   */
  policyVersion?: string;
  policyId?: string;
  /** Default true: Global Privacy Control refuses marketing. */
  honorGpc?: boolean;
}

/** Sent with the 'artifact' event each time the core accepts an artifact. */
export interface ArtifactEvent {
  /** The artifact's `version` (an integer version as its decimal text). */
  version: string;
}

export type TesseraEvent =
  | 'artifact' | 'track' | 'decision' | 'consent' | 'signal' | 'retry' | 'error' | 'forget';

/**
 * How signals are sent. Each setting comes from the page's option when it is
 * given, otherwise from the `signals` object of the last accepted artifact
 * (docs/artifact.md), otherwise from the default:
 *
 * | setting | page option | artifact | default |
 * |---|---|---|---|
 * | where | `endpoint` (base URL) | `signals.endpoint` | `/v1/signals` |
 * | timer | `flushIntervalMs` | `signals.flushIntervalMs` | 300000 |
 * | encoding | `format` | `signals.format` | `'cbor'` |
 * | request cap | (none) | `signals.maxBatchBytes` | 60000 (never over 61440) |
 *
 * `endpoint` is the server's base URL, never the signals URL: the path of
 * `signals.endpoint` is appended to it (`https://api.example` +
 * `/v1/signals`), and an artifact whose `signals.endpoint` is a full
 * http(s) URL sends there instead. Without `endpoint` on the page nothing is
 * ever sent, whatever the artifact says. A new artifact with another
 * interval restarts the timer; one with the same interval leaves it running.
 */
export interface SignalOptions {
  /** The server's base URL; without it nothing is ever sent. */
  endpoint?: string;
  /** Overrides the artifact's signals.format. */
  format?: 'cbor' | 'json';
  /** Overrides the artifact's signals.flushIntervalMs; 0 turns the timer off. */
  flushIntervalMs?: number;
  /**
   * A request (signal or artifact) unanswered this long is abandoned: a
   * signal is retried with backoff, the artifact request reports
   * 'artifact_unavailable'. Default 10000.
   */
  requestTimeoutMs?: number;
}

export interface TesseraOptions extends SignalOptions {
  site: string;
  writeKey?: string;
  artifact?: object;
  /**
   * Fetched once consent allows it. A copy stored by an earlier page is
   * applied at once (the page is decided without waiting for the network),
   * kept without a request for the response's Cache-Control max-age, then
   * revalidated with If-None-Match; a changed artifact is applied when it
   * arrives and fires 'artifact' again.
   */
  artifactUrl?: string | URL;
  consentPolicy?: ConsentPolicy;
  /**
   * Defaults to localStorage. A Web Storage object (sessionStorage) or a
   * backend; anything else is a TypeError.
   */
  storage?: StorageBackend | Storage;
  storageCapBytes?: number;
  /** Defaults to fetch. */
  transport?: Sender;
  beacon?: (url: string, data: Blob | Uint8Array) => boolean;
  /** Epoch milliseconds; defaults to Date.now. */
  now?: () => number;
  random?: () => number;
  wasmUrl?: string | URL;
  antiFlickerMs?: number;
  /**
   * On pages that enforce Trusted Types: the policy whose createHTML fills
   * slots (the snippet passes the 'tessera' policy it made). Without it the
   * SDK makes a 'tessera' policy itself when the page allows one.
   */
  trustedTypesPolicy?: { createHTML(html: string): unknown };
  /**
   * The page URL's query parameter that previews variants
   * (`?tessera_preview=hero:vip,banner:b`): those slots show the named
   * variant whatever their rules and experiments say, with source
   * 'preview', and count no impression, click or exposure. null turns
   * previews off. Default: 'tessera_preview'.
   */
  previewParam?: string | null;
  /**
   * Listeners attached before the instance starts, so they also hear what
   * happens while it does (e.g. 'artifact' for the initial load). The
   * snippet passes the `on(...)` calls queued before the SDK loaded here.
   */
  on?: { [E in TesseraEvent]?: TesseraListener<E> | Array<TesseraListener<E>> };
  /**
   * Page views for history.pushState / popstate; default true. A page shown
   * again from the back/forward cache is a page view either way.
   */
  spa?: boolean;
  window?: Window;
  document?: Document;
  fetch?: typeof fetch;
  warn?: (message: string) => void;
}

export type TesseraListener<E extends TesseraEvent = TesseraEvent> =
  E extends 'artifact' ? (detail: ArtifactEvent) => void
  : E extends 'consent' ? (state: ConsentState) => void
  : E extends 'error' ? (error: TesseraError) => void
  : E extends 'decision' ? (decision: { ok: true } & Decision) => void
  : (detail: any) => void;

export interface Tessera {
  /**
   * true on the instance createTessera() resolves to when WebAssembly cannot
   * run (e.g. blocked by a Content-Security-Policy): default content, no
   * tracking, every call a no-op or an `{ ok: false }` result.
   */
  readonly disabled?: true;
  /**
   * The visitor's consent. Besides set(), the SDK follows an IAB TCF v2.2
   * CMP (`__tcfapi` addEventListener), Google Consent Mode v2 (`dataLayer`
   * consent updates; a 'default' is no visitor's choice) and
   * `navigator.globalPrivacyControl`; a CMP or Google tag that loads after
   * the SDK is looked for again for about 16 s. A purpose refused through
   * set() is granted again only through set(), not by a CMP's grant.
   */
  readonly consent: {
    get(): ConsentState;
    set(update: Partial<Record<Purpose, boolean>>): Outcome<ConsentChange>;
    onChange(callback: (state: ConsentState) => void): () => void;
  };
  /**
   * Records an event. `properties.timestamp` (epoch s/ms or ISO-8601) dates
   * it: up to a day after the clock counts as now, later is refused.
   */
  track(name: string, properties?: Record<string, unknown>): Outcome<{ event: object }>;
  page(properties?: Record<string, unknown>): Outcome<{ event: object }>;
  /**
   * Keeps the user id and traits on the device (never sent). Needs
   * `personalization`: without it the outcome is not ok; withdrawing it
   * forgets them.
   */
  identify(userId: string, traits?: Record<string, unknown>): Outcome;
  /**
   * Sets context members over the browser's own (device, utcOffsetMinutes,
   * language, url, path, referrer); `extra` holds `context.<key>` of the
   * site's. A value the core cannot use is a TypeError.
   */
  setContext(context: Record<string, unknown>): void;
  attributes(): Record<string, unknown>;
  segments(): string[];
  decide(slotId: string): Outcome<Decision>;
  /**
   * Every slot of the artifact, in artifact order (slots that cannot be decided are left out).
   * Records experiment exposures for every slot, like decide(): use it when all slots are shown.
   * The decisions are frozen, and a slot whose decision did not change since the previous
   * decideAll() comes back as the same object.
   */
  decideAll(): Array<Readonly<{ ok: true } & Decision>>;
  /**
   * Fills every `[data-tessera-slot]` under `root` (the document by
   * default), and `root` itself when it is one. After a render of the
   * document, slots the page adds later are filled as they are added.
   */
  render(root?: ParentNode): Decision[];
  loadArtifact(artifact: object | string): Outcome;
  flush(options?: { keepalive?: boolean }): Promise<FlushResult>;
  forget(): void;
  /**
   * Listens to one of the TesseraEvent names (a TypeError for any other)
   * and returns a function that removes the listener. 'artifact' fires
   * whenever an artifact is accepted: the initial `artifact` / `artifactUrl`
   * load (a stored copy first, when there is one), the `artifactUrl` fetch
   * made once consent is given, a revalidation that found a different
   * artifact, and loadArtifact(). A refused artifact fires 'error' instead.
   */
  on<E extends TesseraEvent>(event: E, callback: TesseraListener<E>): () => void;
  debug(on?: boolean): void;
  /** Stops listening and frees the core; later calls throw a TypeError. */
  destroy(): void;
}

/**
 * The pure helpers. Strings must be well-formed Unicode (a lone surrogate
 * has no UTF-8 form: TypeError naming the argument and index), and JSON
 * arguments at most 64 levels deep (TypeError); a template that does not
 * parse throws SyntaxError.
 */
export interface Core {
  /** GrowthBook's evalCondition answer. */
  evalCondition(attributes: object, condition: object, savedGroups?: object): boolean;
  /** GrowthBook's hash v1 or v2 in [0, 1); null for any other version. */
  hash(seed: string, value: string, version: number): number | null;
  /** Mustache (the spec, HTML-escaped `{{x}}`); partials are template texts. */
  renderTemplate(template: string, view?: unknown, partials?: Record<string, string>): string;
}

export function loadCore(options?: { wasmUrl?: string | URL }): Promise<Core>;
export function createTessera(options: TesseraOptions): Promise<Tessera>;
export function memoryBackend(map?: Map<string, string>): StorageBackend;
export function localStorageBackend(storage?: Storage): StorageBackend;
/** The events `on()` accepts. */
export const EVENT_NAMES: readonly TesseraEvent[];

// Hand-written types for tessera-sdk.

export type Purpose = 'necessary' | 'analytics' | 'personalization' | 'marketing';

export interface ConsentState {
  necessary: true;
  analytics: boolean;
  personalization: boolean;
  marketing: boolean;
  policyVersion: string;
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

export interface Exposure {
  key: string;
  variation: number;
  inExperiment: boolean;
  hashValue: number;
}

export interface Decision {
  slot: string;
  variant: string;
  source: 'rule' | 'experiment' | 'default' | 'none';
  html: string;
  exposure?: Exposure;
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
  body: Uint8Array;
  contentType: string;
  keepalive: boolean;
}

export type Sender = (request: SendRequest) => Promise<{ status: number; retryAfter?: string | null }>;

export interface ConsentPolicy {
  mode: 'opt-in' | 'opt-out';
  policyVersion?: string;
  policyId?: string;
  /** Default true: Global Privacy Control refuses marketing. */
  honorGpc?: boolean;
}

export interface TesseraOptions {
  site: string;
  writeKey?: string;
  /** The server's base URL; without it nothing is ever sent. */
  endpoint?: string;
  artifact?: object;
  artifactUrl?: string | URL;
  consentPolicy?: ConsentPolicy;
  /** Defaults to localStorage. */
  storage?: StorageBackend;
  storageCapBytes?: number;
  /** Defaults to fetch. */
  transport?: Sender;
  beacon?: (url: string, data: Blob | Uint8Array) => boolean;
  /** Epoch milliseconds; defaults to Date.now. */
  now?: () => number;
  random?: () => number;
  wasmUrl?: string | URL;
  format?: 'cbor' | 'json';
  flushIntervalMs?: number;
  antiFlickerMs?: number;
  /** Page views on history.pushState / popstate; default true. */
  spa?: boolean;
  window?: Window;
  document?: Document;
  fetch?: typeof fetch;
  warn?: (message: string) => void;
}

export interface Tessera {
  readonly consent: {
    get(): ConsentState;
    set(update: Partial<Record<Purpose, boolean>>): Outcome<ConsentChange>;
    onChange(callback: (state: ConsentState) => void): () => void;
  };
  track(name: string, properties?: Record<string, unknown>): Outcome<{ event: object }>;
  page(properties?: Record<string, unknown>): Outcome<{ event: object }>;
  identify(userId: string, traits?: Record<string, unknown>): Outcome;
  setContext(context: Record<string, unknown>): void;
  attributes(): Record<string, unknown>;
  segments(): string[];
  decide(slotId: string): Outcome<Decision>;
  /**
   * Every slot of the artifact, in artifact order (slots that cannot be decided are left out).
   * Records experiment exposures for every slot, like decide(): use it when all slots are shown.
   */
  decideAll(): Array<{ ok: true } & Decision>;
  render(root?: ParentNode): Decision[];
  loadArtifact(artifact: object | string): Outcome;
  flush(options?: { keepalive?: boolean }): Promise<FlushResult>;
  forget(): void;
  on(event: 'track' | 'decision' | 'consent' | 'signal' | 'retry' | 'error' | 'forget',
     callback: (detail: any) => void): () => void;
  debug(on?: boolean): void;
  destroy(): void;
}

export interface Core {
  evalCondition(attributes: object, condition: object, savedGroups?: object): boolean;
  hash(seed: string, value: string, version: number): number | null;
  renderTemplate(template: string, view?: unknown, partials?: Record<string, string>): string;
}

export function loadCore(options?: { wasmUrl?: string | URL }): Promise<Core>;
export function createTessera(options: TesseraOptions): Promise<Tessera>;
export function memoryBackend(map?: Map<string, string>): StorageBackend;
export function localStorageBackend(storage?: Storage): StorageBackend;

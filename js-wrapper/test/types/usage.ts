// Compiled (never run) by test/types.test.js under `strict`: every part of
// the public API used as the README shows it, through the package's name.
import {
  createTessera, EVENT_NAMES, loadCore, localStorageBackend, memoryBackend,
  type ConsentState, type Decision, type Tessera, type TesseraEvent, type TesseraOptions,
} from 'tessera-sdk';

const options: TesseraOptions = {
  site: 'demo',
  endpoint: 'https://collect.example',
  writeKey: 'wk_demo',
  artifactUrl: new URL('https://collect.example/v1/artifact/demo'),
  consentPolicy: { mode: 'opt-in', policyVersion: 'v1' },
  storage: memoryBackend(new Map()),
  transport: async ({ url, body, contentType, keepalive, signal }) => {
    const response = await fetch(url, { method: 'POST', body, keepalive, signal,
      headers: { 'Content-Type': contentType } });
    return { status: response.status, retryAfter: response.headers.get('Retry-After') };
  },
  format: 'cbor',
  flushIntervalMs: 0,
  requestTimeoutMs: 5000,
  antiFlickerMs: 300,
  previewParam: null,
  on: { artifact: (event) => { const version: string = event.version; void version; } },
};
const withSessionStorage: TesseraOptions = { site: 'demo', storage: sessionStorage };
const tessera: Tessera = await createTessera(options);

const state: ConsentState = tessera.consent.get();
const flags: boolean[] = [state.analytics, state.personalization, state.marketing, state.gpc];
const change = tessera.consent.set({ analytics: true, personalization: true });
if (change.ok) {
  const withdrawn: string[] = change.withdrawn;
  void withdrawn;
}
const stop = tessera.consent.onChange((next) => { const granted: boolean = next.analytics; void granted; });
stop();

const tracked = tessera.track('add_to_cart', { value: 5, currency: 'EUR' });
if (!tracked.ok) {
  const problem: string = `${tracked.error.code}: ${tracked.error.message}`;
  void problem;
}
tessera.page({ path: '/p/1' });
tessera.identify('user-1', { plan: 'pro' });
const attributes: Record<string, unknown> = tessera.attributes();
const segments: string[] = tessera.segments();

const decision = tessera.decide('hero');
if (decision.ok) {
  const html: string = decision.html;
  const source: Decision['source'] = decision.source;
  const variation: number | undefined = decision.exposure?.variation;
  const bucket: number | undefined = decision.exposure?.bucket;
  void bucket;
  void [html, source, variation];
}
const everySlot = tessera.decideAll();
const filled: Decision[] = tessera.render();
const result = await tessera.flush({ keepalive: true });
const counted: number = result.sent + result.failed + result.queued;
const unsubscribe = tessera.on('error', (error) => { const code: string = error.code; void code; });
unsubscribe();
tessera.debug(true);
const disabled: true | undefined = tessera.disabled;
tessera.forget();
tessera.destroy();

const core = await loadCore({ wasmUrl: '/sdk/dist/tessera_core.wasm' });
const matched: boolean = core.evalCondition({ country: 'FR' }, { country: { $in: ['FR'] } });
const bucket: number | null = core.hash('seed', 'visitor-1', 2);
const text: string = core.renderTemplate('Hi {{name}}', { name: 'Ada' }, { footer: '--' });
const events: readonly TesseraEvent[] = EVENT_NAMES;
const backend = localStorageBackend(localStorage);

// @ts-expect-error a misspelt event is refused by the types as by the SDK
tessera.on('decison', () => {});
// @ts-expect-error the site is required
await createTessera({ endpoint: 'https://collect.example' });
// @ts-expect-error formats are cbor or json
const wrongFormat: TesseraOptions = { site: 'demo', format: 'xml' };

void [withSessionStorage, flags, attributes, segments, everySlot, filled, counted, disabled,
  matched, bucket, text, events, backend, wrongFormat];

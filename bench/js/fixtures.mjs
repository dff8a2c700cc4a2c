// Shared inputs of the JS benchmarks: a decision artifact with 50 rule
// segments and 20 slots, and a realistic shopping history (~40 events over a
// month) replayed through the public SDK API. Deterministic: no randomness,
// the clock is injected.

export const START_MS = Date.UTC(2026, 10, 1, 9);  // history starts here
export const HOUR = 3_600_000;

const CATEGORIES = ['shoes', 'jackets', 'bags', 'outdoor', 'kids', 'sale'];

// 50 conditions of the kinds marketers write: windowed counts and sums,
// recency, traits from the CRM, page context, affinities, regexes, version
// comparisons, logical combinations and segments built on earlier segments.
function segmentConditions() {
  const c = [];
  c.push({ 'traits.predicted_clv': { $gt: 500 } });
  c.push({ 'event.purchase_complete.days_since_last': { $exists: true, $lte: 7 } });
  c.push({ 'traits.newsletter_subscribed': true, 'event.purchase_complete.count_all': 0 });
  c.push({ 'event.page_view.count_24h': { $gt: 5 } });
  c.push({ 'event.page_view.count_7d': { $gte: 10 }, 'event.add_to_cart.count_7d': { $gte: 1 } });
  c.push({ 'event.add_to_cart.count_24h': { $gte: 1 }, 'event.purchase_complete.count_24h': 0 });
  c.push({ 'event.purchase_complete.sum_value_90d': { $gte: 200 } });
  c.push({ 'event.purchase_complete.count_90d': { $gte: 2 } });
  c.push({ 'event.remove_from_cart.count_7d': { $gt: 0 } });
  c.push({ 'visitor.sessions_30d': { $gte: 4 } });
  c.push({ 'visitor.days_since_first_seen': { $gt: 21 } });
  c.push({ 'visitor.identified': true });
  c.push({ 'traits.plan': { $in: ['gold', 'platinum'] } });
  c.push({ 'traits.country': { $in: ['FR', 'BE', 'CH', 'LU'] } });
  c.push({ 'traits.email_domain': { $regex: '^(gmail|outlook|yahoo)\\.' } });
  c.push({ 'traits.age': { $gte: 25, $lt: 35 } });
  c.push({ 'traits.app_version': { $vgte: '2.4.0' } });
  c.push({ 'traits.tags': { $all: ['runner', 'trail'] } });
  c.push({ 'traits.tags': { $elemMatch: { $eq: 'vip-event-2026' } } });
  c.push({ 'traits.churn_risk': { $lt: 0.2 } });
  c.push({ 'context.device': 'mobile' });
  c.push({ 'context.path': { $regex: '^/products/' } });
  c.push({ 'context.language': { $regex: '^fr' } });
  c.push({ 'context.hour': { $gte: 18, $lte: 23 } });
  c.push({ 'context.weekday': { $in: [0, 6] } });
  c.push({ 'context.referrer': { $regex: 'google\\.|bing\\.' } });
  c.push({ $or: [{ 'context.utm_source': 'newsletter' }, { 'context.referrer': { $regex: 'mail' } }] });
  c.push({ 'affinity.shoes': { $gt: 0.3 } });
  c.push({ 'affinity.jackets': { $gt: 0.3 } });
  c.push({ 'affinity.outdoor': { $gt: 0.2 }, 'affinity.shoes': { $gt: 0.2 } });
  c.push({ 'affinity.kids': { $exists: true } });
  c.push({ affinities: { $size: { $gte: 3 } } });
  c.push({ $and: [{ 'event.page_view.count_30d': { $gte: 20 } }, { 'event.purchase_complete.count_30d': 0 }] });
  c.push({ $nor: [{ 'event.purchase_complete.count_all': { $gt: 0 } }, { 'traits.plan': 'gold' }] });
  c.push({ 'event.video_played.count_30d': { $gte: 1 } });
  c.push({ 'event.form_submit.count_all': { $gte: 1 }, 'traits.newsletter_subscribed': { $ne: true } });
  c.push({ 'event.page_view.hours_since_last': { $lt: 1 } });
  c.push({ 'event.add_to_cart.sum_value_30d': { $gt: 150 } });
  c.push({ 'traits.loyalty_points': { $gte: 1000 } });
  c.push({ 'traits.last_store': { $nin: ['paris-1', 'lyon-2'] } });
  c.push({ 'traits.gender': { $type: 'string' } });
  c.push({ 'traits.birthday_month': 11 });
  c.push({ 'event.purchase_complete.sum_value_all': { $gt: 1000 } });
  c.push({ 'visitor.pages_this_session': { $gte: 3 } });
  // Built on earlier segments (ids seg-00 ... seg-49, evaluated in order).
  c.push({ segments: { $in: ['seg-00', 'seg-06'] } });
  c.push({ segments: { $all: ['seg-03', 'seg-04'] } });
  c.push({ segments: { $elemMatch: { $eq: 'seg-01' } }, 'context.device': { $ne: 'desktop' } });
  c.push({ $or: [{ segments: { $in: ['seg-27'] } }, { 'affinity.bags': { $gt: 0.4 } }] });
  c.push({ segments: { $size: { $gte: 8 } } });
  c.push({ $not: { segments: { $in: ['seg-11'] } } });
  return c;
}

function slotVariants(i) {
  const seg = (n) => `seg-${String(n % 50).padStart(2, '0')}`;
  return [
    { id: 'vip',
      condition: { segments: { $in: [seg(i), seg(i + 7)] } },
      template: '<h2>{{headline}}</h2><p>Hello {{traits.first_name}}, {{percent}}% off for you.</p>',
      data: { headline: `VIP offer ${i}`, percent: 15 } },
    { id: 'category',
      condition: { [`affinity.${CATEGORIES[i % CATEGORIES.length]}`]: { $gt: 0.25 },
                   'event.page_view.count_7d': { $gte: 3 } },
      template: '<p>More {{category}} picked for you ({{event.page_view.count_7d}} visits this week)</p>',
      data: { category: CATEGORIES[i % CATEGORIES.length] } },
    { id: 'cart',
      condition: { $and: [{ 'event.add_to_cart.count_24h': { $gt: 0 } },
                          { segments: { $nin: [seg(i + 13)] } }] },
      template: '<p>Your cart is waiting: free shipping over {{threshold}} EUR</p>',
      data: { threshold: 50 } },
    { id: 'standard',
      template: '<p>Slot {{slot}}: new season arrivals</p>',
      data: { slot: i } },
  ];
}

/** The decision artifact: 50 rule segments, 20 slots (4 variants each). */
export function benchArtifact() {
  const segments = segmentConditions().map((condition, i) => {
    const id = `seg-${String(i).padStart(2, '0')}`;
    const segment = { id, name: `Segment ${i}`, condition, priority: 100 - i };
    if (i >= 40 && i < 44) segment.group = 'lifecycle';  // exclusive group
    return segment;
  });
  const slots = Array.from({ length: 20 }, (_, i) => ({
    id: `slot-${String(i).padStart(2, '0')}`,
    variants: slotVariants(i),
    default: 'standard',
  }));
  return {
    schema_version: 1, version: 'bench-1', site: 'bench',
    segments, slots, experiments: [],
  };
}

/**
 * Plays a month of shopping through the SDK: 26 page views, 8 add-to-carts,
 * 2 removals, 2 purchases, a form submit, a video, plus identify() with CRM
 * traits and the page context. `clock` is {ms}; it advances between events.
 * Returns the number of tracked events.
 */
export function playHistory(tessera, clock) {
  let n = 0;
  const track = (name, props, gapHours) => {
    clock.ms += gapHours * HOUR;
    const result = tessera.track(name, props);
    if (!result.ok) throw new Error(`history: ${name} rejected: ${result.error.message}`);
    n += 1;
  };
  const product = (k) => ({
    product_id: `sku-${1000 + k}`, category: CATEGORIES[k % CATEGORIES.length],
    price: 19.9 + k * 7, currency: 'EUR',
  });
  tessera.identify('crm-42817', {
    first_name: 'Camille', predicted_clv: 640, newsletter_subscribed: true, plan: 'gold',
    country: 'FR', email_domain: 'gmail.com', age: 31, app_version: '2.6.1',
    tags: ['runner', 'trail', 'vip-event-2026'], churn_risk: 0.12, loyalty_points: 1800,
    last_store: 'bordeaux-1', gender: 'f', birthday_month: 11,
  });
  for (let day = 0; day < 4; day++) {
    for (let k = 0; k < 5; k++) {
      const p = product(day * 5 + k);
      track('page_view', { path: `/products/${p.product_id}`, title: `Product ${p.product_id}`,
                           category: p.category }, k === 0 ? 150 : 0.2);
      if (k % 3 === 1) track('add_to_cart', { ...p, quantity: 1, value: p.price }, 0.05);
    }
    if (day === 1) track('remove_from_cart', { ...product(6), quantity: 1, value: 61.9 }, 0.1);
    if (day % 2 === 1) {
      track('purchase_complete', { order_id: `o-${day}`, value: 129.4 + day * 40, currency: 'EUR',
                                   items: [product(day), product(day + 1)] }, 0.3);
    }
  }
  track('form_submit', { form_id: 'contact' }, 20);
  track('video_played', { video_id: 'trail-film', duration: 94, percent: 70 }, 1);
  track('remove_from_cart', { ...product(3), quantity: 1, value: 40.9 }, 0.5);
  for (let k = 0; k < 6; k++) {
    track('page_view', { path: k % 2 ? '/products/sku-1003' : '/', category: 'shoes' }, 0.1);
  }
  tessera.setContext({ device: 'mobile', language: 'fr-FR', path: '/products/sku-1003',
                       referrer: 'https://www.google.com/', utm_source: 'newsletter' });
  return n;
}

// ---- a 100-event shopping session (bytes benchmark) ------------------------

const PRODUCTS = Array.from({ length: 24 }, (_, k) => ({
  product_id: `sku-${1000 + k}`,
  sku: `TR-${(1000 + k) * 7}`,
  name: `${['Trail runner', 'Rain jacket', 'Daypack', 'Fleece', 'Kids boot', 'Cap'][k % 6]} ${k}`,
  brand: ['Alpina', 'Northline', 'Kestrel'][k % 3],
  category: CATEGORIES[k % CATEGORIES.length],
  variant: ['blue', 'black', 'red', 'green'][k % 4],
  price: Math.round((19.9 + k * 6.5) * 100) / 100,
  currency: 'EUR',
}));

/**
 * 80 page views, 19 add-to-carts and one purchase (of 4 of those items) over
 * about half an hour, as steps {kind: 'page'|'track', atMs, url, title,
 * referrer, name, properties}. Deterministic (a fixed LCG picks pages and
 * gaps). Both SDKs get exactly these calls with exactly these properties.
 */
export function shoppingSession(startMs = Date.UTC(2026, 10, 23, 18, 5)) {
  let seed = 12345;
  const next = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const steps = [];
  let at = startMs;
  let referrer = 'https://www.google.com/';
  const cart = [];
  let productPages = 0;
  for (let i = 0; i < 80; i++) {
    at += 8_000 + next(24_000);
    let path;
    let title;
    let properties = {};
    let product = null;
    if (i === 0) { path = '/'; title = 'Kestrel Outdoor — Home'; }
    else if (i % 4 === 1) {
      const category = CATEGORIES[next(CATEGORIES.length)];
      path = `/c/${category}`; title = `${category} — Kestrel Outdoor`; properties = { category };
    } else {
      product = PRODUCTS[next(PRODUCTS.length)];
      path = `/products/${product.product_id}`; title = `${product.name} — Kestrel Outdoor`;
      properties = { category: product.category, product_id: product.product_id };
    }
    const url = `https://shop.example${path}`;
    steps.push({ kind: 'page', atMs: at, url, title, referrer, properties });
    referrer = url;
    if (product && productPages++ % 3 === 0 && cart.length < 19) {
      at += 3_000 + next(6_000);
      const item = { ...product, quantity: 1 + next(2), position: 1 + next(12),
                     url, image_url: `https://cdn.shop.example/img/${product.product_id}.jpg` };
      cart.push(item);
      steps.push({ kind: 'track', atMs: at, name: 'add_to_cart', url, title, referrer,
                   properties: { ...item, cart_id: 'c-7f3e2a', value: item.price * item.quantity } });
    }
  }
  const bought = cart.slice(-4).map(({ url: _u, image_url: _i, position: _p, ...rest }) => rest);
  const total = Math.round(bought.reduce((s, p) => s + p.price * p.quantity, 0) * 100) / 100;
  at += 45_000;
  steps.push({ kind: 'track', atMs: at, name: 'purchase_complete',
               url: 'https://shop.example/checkout/done', title: 'Thank you — Kestrel Outdoor',
               referrer: 'https://shop.example/checkout',
               properties: {
                 order_id: 'o-2026-118274', checkout_id: 'co-55190', affiliation: 'web',
                 value: total, total, revenue: Math.round(total / 1.2 * 100) / 100,
                 shipping: 0, tax: Math.round((total - total / 1.2) * 100) / 100,
                 discount: 0, currency: 'EUR', products: bought,
               } });
  return steps;
}

// The landing page: the product grid, and the newsletter form. The hero and
// banner blocks are [data-tessera-slot] elements the SDK fills from the
// decision artifact.
import { PRODUCTS, formatPrice } from './catalog.js';
import { refreshSlots, startPage, tessera } from './app.js';

function renderGrid() {
  const grid = document.getElementById('product-grid');
  for (const product of PRODUCTS) {
    const item = document.createElement('li');
    const link = document.createElement('a');
    link.href = `/product.html?id=${encodeURIComponent(product.id)}`;
    link.className = 'product-card';
    link.dataset.productId = product.id;
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = product.colour;
    const name = document.createElement('strong');
    name.textContent = product.name;
    const price = document.createElement('span');
    price.textContent = formatPrice(product.price);
    link.append(swatch, name, price);
    item.append(link);
    grid.append(item);
  }
}

function setupNewsletter() {
  const form = document.getElementById('newsletter-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    // The store's backend would create the subscriber and answer with its
    // customer id; the email itself is never given to Tessera.
    const customerId = `subscriber-${Math.floor(Math.random() * 1e9)}`;
    tessera().identify(customerId, { newsletter_subscribed: true });
    tessera().track('newsletter_signup', {});
    form.hidden = true;
    document.getElementById('newsletter-done').hidden = false;
    await refreshSlots();
  });
}

startPage();
renderGrid();
setupNewsletter();

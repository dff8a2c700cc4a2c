// The checkout: lists the cart and places the order, tracked as
// purchase_complete with its value and currency. The signal is sent right
// away (a purchase is worth not waiting for the next flush).
import { formatPrice } from './catalog.js';
import { cartTotal, clearCart, readCart } from './cart.js';
import { startPage, tessera, whenLoaded, updateDebugPanel } from './app.js';

function showCart() {
  const lines = readCart();
  const body = document.getElementById('cart-lines');
  body.textContent = '';
  for (const line of lines) {
    const row = document.createElement('tr');
    for (const text of [line.name, String(line.quantity), formatPrice(line.price * line.quantity)]) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.append(cell);
    }
    body.append(row);
  }
  document.getElementById('cart-total').textContent = formatPrice(cartTotal(lines));
  const empty = lines.length === 0;
  document.getElementById('cart-empty').hidden = !empty;
  document.getElementById('cart-table').hidden = empty;
  document.getElementById('place-order').hidden = empty;
}

async function placeOrder() {
  const lines = readCart();
  if (lines.length === 0) return;
  const orderId = `order-${Date.now().toString(36)}`;
  tessera().track('purchase_complete', {
    value: cartTotal(lines),
    currency: 'EUR',
    order_id: orderId,
    items: lines.map((line) => ({ category: line.category, price: line.price,
                                  quantity: line.quantity })),
  });
  clearCart();
  document.getElementById('order-id').textContent = orderId;
  document.getElementById('order-done').hidden = false;
  showCart();
  const instance = await whenLoaded();
  if (instance) {
    const result = await instance.flush();
    document.body.dataset.lastFlush = JSON.stringify(result);
  }
  updateDebugPanel();
}

startPage();
showCart();
document.getElementById('place-order').addEventListener('click', placeOrder);

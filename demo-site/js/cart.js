// The shopping cart is the store's own state (strictly necessary), kept in
// sessionStorage: it is not Tessera's and needs no consent.
const KEY = 'demo-cart';

export function readCart() {
  try {
    const lines = JSON.parse(sessionStorage.getItem(KEY) ?? '[]');
    return Array.isArray(lines) ? lines : [];
  } catch {
    return [];
  }
}

function writeCart(lines) {
  sessionStorage.setItem(KEY, JSON.stringify(lines));
  document.dispatchEvent(new CustomEvent('demo:cart'));
}

export function addToCart(product) {
  const lines = readCart();
  const line = lines.find((l) => l.id === product.id);
  if (line) line.quantity += 1;
  else lines.push({ id: product.id, name: product.name, category: product.category,
                    price: product.price, quantity: 1 });
  writeCart(lines);
}

export function clearCart() {
  writeCart([]);
}

export function cartTotal(lines = readCart()) {
  return lines.reduce((sum, line) => sum + line.price * line.quantity, 0);
}

export function cartCount(lines = readCart()) {
  return lines.reduce((sum, line) => sum + line.quantity, 0);
}

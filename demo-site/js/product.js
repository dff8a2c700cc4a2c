// A product page: product.html?id=<product id>. "Add to cart" is tracked
// with the product's value and category.
import { findProduct, formatPrice, PRODUCTS } from './catalog.js';
import { addToCart } from './cart.js';
import { startPage, tessera } from './app.js';

const id = new URLSearchParams(location.search).get('id');
const product = findProduct(id) ?? PRODUCTS[0];

function show() {
  document.title = `${product.name} · Tessera Outdoor`;
  document.getElementById('product-name').textContent = product.name;
  document.getElementById('product-category').textContent = product.category;
  document.getElementById('product-blurb').textContent = product.blurb;
  document.getElementById('product-price').textContent = formatPrice(product.price);
  document.getElementById('product-image').style.background = product.colour;
  document.getElementById('add-to-cart').addEventListener('click', () => {
    addToCart(product);
    tessera().track('add_to_cart', {
      value: product.price, currency: 'EUR', category: product.category,
      product_id: product.id, quantity: 1,
    });
    document.getElementById('added').hidden = false;
  });
}

startPage();
show();

// The demo store's catalogue. Prices in EUR.
export const PRODUCTS = [
  { id: 'trail-runner', name: 'Trail Runner shoes', category: 'shoes', price: 89,
    colour: '#3d7ea6', blurb: 'Grippy, light and ready for muddy Sunday runs.' },
  { id: 'rain-shell', name: 'Rain Shell jacket', category: 'jackets', price: 129,
    colour: '#5c8a4d', blurb: 'Packs into its own pocket; keeps the weather out.' },
  { id: 'day-pack', name: 'Day Pack 22 L', category: 'bags', price: 59,
    colour: '#b5653b', blurb: 'A padded laptop sleeve and a bottle pocket on each side.' },
  { id: 'wool-beanie', name: 'Merino beanie', category: 'accessories', price: 25,
    colour: '#8a5c9e', blurb: 'Soft merino wool that does not itch.' },
];

export function findProduct(id) {
  return PRODUCTS.find((product) => product.id === id) ?? null;
}

export function formatPrice(value) {
  return `${value.toFixed(2)} EUR`;
}

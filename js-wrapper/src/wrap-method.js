// Wrapping a page's method (history.pushState, dataLayer.push) so that it can
// be undone without harm: other scripts (Google Tag Manager, routers) often
// wrap the same method after us, and putting ours back would drop theirs.

/**
 * Replaces object[name] by `wrap(original)`. The returned undo puts the
 * original back while ours is still in place; when another script has
 * wrapped ours since (its wrapper calls ours), ours stays and passes each
 * call straight to the original.
 */
export function wrapMethod(object, name, wrap) {
  const original = object[name];
  const wrapped = wrap(original);
  let active = true;
  const wrapper = function (...args) {
    return (active ? wrapped : original).apply(this, args);
  };
  object[name] = wrapper;
  return () => {
    active = false;
    if (object[name] === wrapper) object[name] = original;
  };
}

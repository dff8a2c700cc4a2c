// Filling marked slots in the page, without flicker: until a slot is decided
// its default content stays hidden, for at most `waitMs`; then the default
// shows. The style is scoped to [data-tessera-slot] elements only.

const STYLE_ID = 'tessera-anti-flicker';
const HIDE_RULE = '[data-tessera-slot]:not([data-tessera-ready]){visibility:hidden}';

export function hideUndecidedSlots(doc, waitMs) {
  if (!doc?.head || doc.getElementById?.(STYLE_ID)) return () => {};
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = HIDE_RULE;
  doc.head.appendChild(style);
  const reveal = () => {
    clearTimeout(timer);
    style.remove();
  };
  const timer = setTimeout(reveal, waitMs);
  return reveal;
}

export function markReady(element) {
  element.setAttribute('data-tessera-ready', '');
}

export function slotElements(root) {
  if (!root?.querySelectorAll) return [];
  return [...root.querySelectorAll('[data-tessera-slot]')];
}

/**
 * Fills each slot element with its decision. `decide(slotId)` returns a
 * decision or null; `onShown(decision, element)` is called for each element
 * whose decision shows something (its content or the page's default);
 * `onClick(decision)` on clicks inside a filled slot. Returns the decisions
 * applied.
 */
export function renderSlots(root, decide, onShown, onClick) {
  const applied = [];
  for (const element of slotElements(root)) {
    const slotId = element.getAttribute('data-tessera-slot');
    const decision = decide(slotId);
    if (decision && decision.source !== 'none') onShown(decision, element);
    if (decision && decision.html != null && decision.source !== 'none' &&
        decision.source !== 'default-content') {
      if (element.innerHTML !== decision.html) element.innerHTML = decision.html;
      element.setAttribute('data-tessera-variant', decision.variant);
      if (!element.hasAttribute('data-tessera-listening')) {
        element.setAttribute('data-tessera-listening', '');
        element.addEventListener('click', () => {
          const variant = element.getAttribute('data-tessera-variant');
          onClick({ slot: slotId, variant });
        });
      }
      applied.push(decision);
    }
    markReady(element);
  }
  return applied;
}

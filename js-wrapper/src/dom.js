// Filling marked slots in the page, without flicker: until a slot is decided
// its default content stays hidden, for at most `waitMs`; then the default
// shows. The style is scoped to [data-tessera-slot] elements only.

const STYLE_ID = 'tessera-anti-flicker';
const HIDE_RULE = '[data-tessera-slot]:not([data-tessera-ready]){visibility:hidden}';

// The snippet's style is emptied, not removed, when its wait ends: the SDK
// finding it, however late it loads, hides nothing again.
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

const SLOT = '[data-tessera-slot]';

// A root that is a slot itself (one the page just added, say) is filled too.
export function slotElements(root) {
  if (!root?.querySelectorAll) return [];
  return [...(root.matches?.(SLOT) ? [root] : []), ...root.querySelectorAll(SLOT)];
}

// Calls `onAdded(element)` for each element the page adds under `doc` from
// now on that is or holds a slot. Observer callbacks run before the next
// paint, so a slot filled from here never shows its default content first.
// What lands inside a filled slot is its content (ours, most often): a slot
// there is left alone, so a template holding its own slot cannot recurse.
export function watchAddedSlots(win, doc, onAdded) {
  const root = doc?.documentElement;
  if (!win?.MutationObserver || !root) return () => {};
  const observer = new win.MutationObserver((records) => {
    for (const record of records) {
      if (record.target.closest?.(`${SLOT}[data-tessera-ready]`)) continue;
      for (const node of record.addedNodes) {
        if (node.nodeType === 1 && slotElements(node).length) onAdded(node);
      }
    }
  });
  observer.observe(root, { childList: true, subtree: true });
  return () => observer.disconnect();
}

// Pages that enforce Trusted Types (CSP `require-trusted-types-for
// 'script'`) refuse plain strings in innerHTML. The SDK's policy, which such
// a page allows with `trusted-types tessera`, passes the decided content
// blocks: the site's own templates from its artifact, rendered with
// escaping. A page that does not allow it keeps its default content, and
// `warn` says what to allow. One policy per window (a second one of the same
// name would be refused): `given` (the snippet's), else one made here.
const policies = new WeakMap();

/** A function that fills an element with HTML; false when the page refused. */
export function htmlFiller(win, warn, given) {
  let policy = given ?? (win ? policies.get(win) : null);
  if (policy === undefined) {
    try {
      policy = win.trustedTypes?.createPolicy('tessera', { createHTML: (html) => html }) ?? null;
    } catch {
      policy = null;  // the page's CSP does not list the policy
    }
    policies.set(win, policy);
  }
  return (element, html) => {
    if (element.innerHTML === html) return true;
    try {
      element.innerHTML = policy ? policy.createHTML(html) : html;
      return true;
    } catch (error) {
      warn(`slot default kept (${error.message}); with Trusted Types, allow: trusted-types tessera`);
      return false;
    }
  };
}

const clickHandlers = new WeakMap();  // slot element -> onClick of its last render

/**
 * Fills each slot element with its decision. `decide(slotId)` returns a
 * decision or null; `fill(element, html)` puts content in (false if the page
 * refused it); `onShown(decision, element)` is called for each element
 * whose decision shows something (its content or the page's default);
 * `onClick(decision)` on clicks inside a filled slot. Returns the decisions
 * applied.
 */
export function renderSlots(root, decide, fill, onShown, onClick) {
  const applied = [];
  for (const element of slotElements(root)) {
    // A slot in another's default content left the page when that one was filled.
    if (root.contains?.(element) === false) continue;
    const slotId = element.getAttribute('data-tessera-slot');
    const decision = decide(slotId);
    const fills = decision && decision.html != null && decision.source !== 'none';
    const shown = !fills || fill(element, decision.html);
    if (shown && decision && decision.source !== 'none') onShown(decision, element);
    if (fills && shown) {
      element.setAttribute('data-tessera-variant', decision.variant);
      // One listener per element, telling the instance that filled it last:
      // an instance created after another was destroyed takes its slots over.
      if (!clickHandlers.has(element)) {
        element.addEventListener('click', () => clickHandlers.get(element)({
          slot: slotId, variant: element.getAttribute('data-tessera-variant'),
        }));
      }
      clickHandlers.set(element, onClick);
      applied.push(decision);
    }
    markReady(element);
  }
  return applied;
}

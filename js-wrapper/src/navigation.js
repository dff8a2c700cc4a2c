// Page views for single-page apps: history.pushState and popstate mark a new
// page. The original pushState is restored by the returned function.
export function watchNavigation(win, onNavigate) {
  const history = win?.history;
  if (!history || typeof history.pushState !== 'function') return () => {};
  const originalPush = history.pushState;
  let lastHref = win.location?.href;
  const notify = () => {
    const href = win.location?.href;
    if (href === lastHref) return;
    lastHref = href;
    onNavigate();
  };
  history.pushState = function pushState(...args) {
    const result = originalPush.apply(this, args);
    notify();
    return result;
  };
  win.addEventListener('popstate', notify);
  return () => {
    history.pushState = originalPush;
    win.removeEventListener('popstate', notify);
  };
}

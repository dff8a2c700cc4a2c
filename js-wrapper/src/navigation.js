// Page views for navigations without a page load: history.pushState and
// popstate in single-page apps, and a page shown again from the browser's
// back/forward cache (pageshow with persisted), which runs no script anew.
// The returned function puts pushState back and stops listening.
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
  const onPageShow = (event) => {
    if (!event?.persisted) return;
    lastHref = win.location?.href;
    onNavigate();
  };
  win.addEventListener('pageshow', onPageShow);
  return () => {
    history.pushState = originalPush;
    win.removeEventListener('popstate', notify);
    win.removeEventListener('pageshow', onPageShow);
  };
}

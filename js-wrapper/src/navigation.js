// Page views for navigations without a page load: history.pushState and
// popstate in single-page apps, and a page shown again from the browser's
// back/forward cache (pageshow with persisted), which runs no script anew.
// `onNavigate(restored)`: true for a page shown again from the cache. With
// `spa` false only the cache is watched. The returned function undoes the
// pushState wrapper and stops listening.
import { wrapMethod } from './wrap-method.js';

export function watchNavigation(win, onNavigate, spa) {
  const history = spa ? win?.history : null;
  // The page is the URL without its fragment: following an in-page anchor
  // fires popstate too, but shows no new page.
  const currentPage = () => win.location?.href.split('#')[0];
  let lastPage = currentPage();
  const notify = () => {
    const page = currentPage();
    if (page === lastPage) return;
    lastPage = page;
    onNavigate();
  };
  let unwrap = () => {};
  if (typeof history?.pushState === 'function') {
    unwrap = wrapMethod(history, 'pushState', (original) => function pushState(...args) {
      // Compared with the URL it leaves, which replaceState (a filter kept in
      // the query, a redirect: no page view) may have changed since.
      lastPage = currentPage();
      const result = original.apply(this, args);
      notify();
      return result;
    });
    win.addEventListener('popstate', notify);
  }
  const onPageShow = (event) => {
    if (!event?.persisted) return;
    lastPage = currentPage();
    onNavigate(true);  // restored: the page was asleep meanwhile
  };
  win.addEventListener('pageshow', onPageShow);
  return () => {
    unwrap();
    win.removeEventListener('popstate', notify);
    win.removeEventListener('pageshow', onPageShow);
  };
}

// What the browser tells the core about the moment of a decision: the
// device class, the local time's offset (so that `context.hour`,
// `context.weekday` and the signal's hour-of-week histogram are the
// visitor's local time), the language and the page. Never a query string
// or fragment: that is where tokens and personal data travel.

// iPadOS presents itself as a Mac with a touch screen; Android tablets leave
// "Mobile" out of their user agent.
const TABLET = /iPad|Tablet|Android(?!.*Mobi)/i;
const PHONE = /Mobi|iPhone|Android/i;

export function deviceClass(navigator) {
  const agent = navigator.userAgent ?? '';
  if (TABLET.test(agent) || (/Macintosh/.test(agent) && navigator.maxTouchPoints > 1)) {
    return 'tablet';
  }
  return navigator.userAgentData?.mobile || PHONE.test(agent) ? 'mobile' : 'desktop';
}

export const withoutQuery = (url) => String(url).split(/[?#]/)[0];

/** The context of the page in `win` at `nowMs`, for Engine::SetContext. */
export function browserContext(win, doc, nowMs) {
  const context = { utcOffsetMinutes: -Math.round(new Date(nowMs).getTimezoneOffset()) };
  const navigator = win?.navigator;
  if (navigator) {
    context.device = deviceClass(navigator);
    if (typeof navigator.language === 'string') context.language = navigator.language;
  }
  if (win?.location) {
    context.url = withoutQuery(win.location.href);
    context.path = win.location.pathname;
  }
  const referrer = doc?.referrer;
  if (referrer) context.referrer = withoutQuery(referrer);
  return context;
}

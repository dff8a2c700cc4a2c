/* Tessera snippet: paste inline in <head>, set SDK and the options. Calls made
   before the SDK loads are queued and replayed in order. Slots stay hidden
   until decided, at most antiFlickerMs (then the style is emptied, and kept
   so that a late SDK does not hide them again). */
(function (w, d, sdk, options) {
  var t = (w.tessera = w.tessera || []);
  if (t.q || t.loaded) return;  // a second copy: queued or loaded already
  t.q = [];
  t.o = options;
  ['track', 'page', 'identify', 'consent', 'render', 'flush', 'forget', 'on', 'decide']
    .forEach(function (name) {
      t[name] = function () { t.q.push([name, [].slice.call(arguments)]); };
    });
  var style = d.createElement('style');
  style.id = 'tessera-anti-flicker';
  style.textContent = '[data-tessera-slot]:not([data-tessera-ready]){visibility:hidden}';
  d.head.appendChild(style);
  var wait = options.antiFlickerMs;
  setTimeout(function () { style.textContent = ''; }, wait == null ? 300 : wait);
  // Pages enforcing Trusted Types allow this policy: trusted-types tessera.
  // Left on window.tessera for boot.js, it vouches for no script but the SDK.
  var tt = w.trustedTypes, p = null;
  try {
    p = t.p = tt.createPolicy('tessera', {
      createHTML: function (h) { return h; }, createScriptURL: function () { return sdk; }
    });
  } catch (e) {}
  var script = d.createElement('script');
  script.type = 'module';
  script.async = true;
  script.src = p ? p.createScriptURL(sdk) : sdk;
  script.onerror = function () {  // blocked or missing: the defaults, at once
    style.textContent = '';
    console.error('tessera: ' + sdk + ' did not load; showing default content');
  };
  d.head.appendChild(script);
})(window, document, '/sdk/dist/boot.js', { site: 'demo', endpoint: '', writeKey: 'WRITE_KEY', artifactUrl: '/v1/artifact/demo' });

// Linked with --js-library after Embind's own library: Embind registers
// std::wstring, std::u16string and std::u32string at start-up whether or not a
// binding uses them, and that registration pulls ~3.5 KB of UTF-16/UTF-32
// conversion code into the loader (~1 KB gzipped). No Tessera binding takes
// or returns a wide string (bindings.cpp), so the registration does nothing;
// a binding that did would fail at once with Embind's "unbound type" error.
mergeInto(LibraryManager.library, {
  _embind_register_std_wstring__deps: [],
  _embind_register_std_wstring: function(rawType, charSize, name) {},
});

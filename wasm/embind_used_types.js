// Linked with --js-library after Embind's own library: the JS side of
// embind_used_types.cpp. Embind's handlers for integers, floats and
// std::string serve every width, signedness and string flavour; the
// bindings pass only int, double, UTF-8 std::string and
// memory_view<uint8_t>, so these handle just those (-0.4 KB of loader
// gzipped). Any other registration is refused at start-up, loudly.
mergeInto(LibraryManager.library, {
  // int (32-bit signed) and double pass as they are (Embind's release build
  // checks nothing either; the wrapper validates arguments before calling).
  $registerPlainNumber__deps: ['$readLatin1String', '$registerType'],
  $registerPlainNumber: function(rawType, name, usable, readFromPointer) {
    name = readLatin1String(name);
    if (!usable) throw new TypeError('no binding passes ' + name);
    registerType(rawType, {
      name: name,
      'fromWireType': function(value) { return value; },
      'toWireType': function(destructors, value) { return value; },
      'argPackAdvance': 8,
      'readValueFromPointer': readFromPointer,
      destructorFunction: null,
    });
  },
  _embind_register_integer__deps: ['$registerPlainNumber'],
  _embind_register_integer: function(primitiveType, name, size, minRange, maxRange) {
    registerPlainNumber(primitiveType, name, size === 4 && minRange !== 0,
        function(pointer) { return HEAP32[pointer >> 2]; });
  },
  _embind_register_float__deps: ['$registerPlainNumber'],
  _embind_register_float: function(rawType, name, size) {
    registerPlainNumber(rawType, name, size === 8,
        function(pointer) { return HEAPF64[pointer >> 3]; });
  },

  // std::string as UTF-8: a JS string in, encoded by the browser's
  // TextEncoder, or bytes (a Uint8Array, Int8Array, Uint8ClampedArray or
  // ArrayBuffer) as they are; a JS string out, decoded whole (embedded NULs
  // included, as Embind's segment-by-segment decoding gives them). A lone
  // surrogate becomes U+FFFD (Embind's encoder paired it with the next
  // character, losing that one); the wrapper refuses one in what callers pass.
  _embind_register_std_string__deps: [
    '$readLatin1String', '$registerType', '$simpleReadValueFromPointer',
    '$throwBindingError', 'malloc', 'free'],
  _embind_register_std_string: function(rawType, name) {
    var encoder = new TextEncoder();
    registerType(rawType, {
      name: readLatin1String(name),
      'fromWireType': function(value) {
        var text = UTF8Decoder.decode(HEAPU8.subarray(value + 4, value + 4 + HEAPU32[value >> 2]));
        _free(value);
        return text;
      },
      'toWireType': function(destructors, value) {
        if (value instanceof ArrayBuffer) value = new Uint8Array(value);
        if (typeof value == 'string') {
          value = encoder.encode(value);
        } else if (!(value instanceof Uint8Array || value instanceof Uint8ClampedArray ||
                     value instanceof Int8Array)) {
          throwBindingError('Cannot pass non-string to std::string');
        }
        var ptr = _malloc(4 + value.length + 1);
        HEAPU32[ptr >> 2] = value.length;
        HEAPU8.set(value, ptr + 4);
        HEAPU8[ptr + 4 + value.length] = 0;
        if (destructors !== null) destructors.push(_free, ptr);
        return ptr;
      },
      'argPackAdvance': 8,
      'readValueFromPointer': simpleReadValueFromPointer,
      destructorFunction: function(ptr) { _free(ptr); },
    });
  },

  // memory_view<uint8_t> only: a Uint8Array over the wasm memory.
  _embind_register_memory_view__deps: ['$readLatin1String', '$registerType'],
  _embind_register_memory_view: function(rawType, dataTypeIndex, name) {
    name = readLatin1String(name);
    if (dataTypeIndex !== 1) throw new TypeError('no binding passes ' + name);
    function decodeMemoryView(handle) {
      return new Uint8Array(buffer, HEAPU32[(handle >> 2) + 1], HEAPU32[handle >> 2]);
    }
    registerType(rawType, {
      name: name,
      'fromWireType': decodeMemoryView,
      'argPackAdvance': 8,
      'readValueFromPointer': decodeMemoryView,
    }, {
      ignoreDuplicateRegistrations: true,
    });
  },
});

// Linked with --js-library after Embind's own library (wasm/CMakeLists.txt,
// embind_used_types.cpp): pieces of Embind's JS runtime that Tessera's
// bindings (wasm/bindings.cpp: plain functions, unique names, no 64-bit
// integers, only built-in types) cannot reach, replaced by what those
// bindings do need, so the loader leaves the rest out (~0.3 KB gzipped).
mergeInto(LibraryManager.library, {
  // Embind publishes two debugging helpers (count_emval_handles,
  // get_first_emval) on the module; nothing calls them.
  $init_emval__deps: [],
  $init_emval: function() {},

  // A signature with a 64-bit integer ('j') would need the legacy dynCall
  // path. No binding has one (times cross as doubles), so every invoker is
  // its table entry; anything else still fails loudly.
  $embind__requireFunction__deps: ['$readLatin1String', '$throwBindingError',
                                   '$getWasmTableEntry'],
  $embind__requireFunction: function(signature, rawFunction) {
    signature = readLatin1String(signature);
    var fp = getWasmTableEntry(rawFunction);
    if (typeof fp != "function" || signature.includes('j')) {
      throwBindingError("unknown function pointer with signature " + signature + ": " + rawFunction);
    }
    return fp;
  },

  // Overloads (one name, several argument counts) need a dispatch table;
  // every binding has its own name, so a repeated name is an error.
  $exposePublicSymbol__deps: ['$throwBindingError'],
  $exposePublicSymbol: function(name, value, numArguments) {
    if (Module.hasOwnProperty(name)) {
      throwBindingError("Cannot register public name '" + name + "' twice");
    }
    Module[name] = value;
    if (undefined !== numArguments) {
      Module[name].numArguments = numArguments;
    }
  },

  // Every type a binding uses is built in and registered before the first
  // call, so an unbound or unknown type is a build error; both are reported
  // without the type's name (which would keep the wasm's ___getTypeName).
  $throwUnboundTypeError__deps: ['$UnboundTypeError'],
  $throwUnboundTypeError: function(message, types) {
    throw new UnboundTypeError(message);
  },
  $requireRegisteredType__deps: ['$registeredTypes', '$throwBindingError'],
  $requireRegisteredType: function(rawType, humanName) {
    var impl = registeredTypes[rawType];
    if (undefined === impl) {
      throwBindingError(humanName + " has an unknown type");
    }
    return impl;
  },
});

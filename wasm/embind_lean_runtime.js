// Linked with --js-library after Embind's own library (wasm/CMakeLists.txt,
// embind_used_types.cpp): pieces of Embind's JS runtime that Tessera's
// bindings (wasm/bindings.cpp: plain functions, unique names, no 64-bit
// integers, only built-in types) cannot reach, replaced by what those
// bindings do need, so the loader leaves the rest out (~0.5 KB gzipped).
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

  // Embind's error types (BindingError, InternalError, UnboundTypeError) as
  // plain subclasses: a named constructor built at run time is not needed.
  $extendError__deps: [],
  $extendError: function(baseErrorType, errorName) {
    var errorClass = class extends baseErrorType {};
    errorClass.prototype.name = errorName;
    return errorClass;
  },

  // Every binding is a plain function (no class, no 'this', no overloads):
  // its invoker checks the argument count, converts the arguments, calls,
  // frees what the conversions allocated (the std::string copies) and
  // converts the result.
  $craftInvokerFunction__deps: ['$runDestructors', '$throwBindingError'],
  $craftInvokerFunction: function(humanName, argTypes, classType, cppInvokerFunc, cppTargetFunc) {
    var expectedArgCount = argTypes.length - 2;
    var returns = argTypes[0].name !== "void";
    var destructors = [];
    var wired = [];
    return function() {
      if (arguments.length !== expectedArgCount) {
        throwBindingError("function " + humanName + " called with " + arguments.length +
                          " arguments, expected " + expectedArgCount + " args!");
      }
      wired.length = 0;
      wired.push(cppTargetFunc);
      for (var i = 0; i < expectedArgCount; ++i) {
        wired.push(argTypes[i + 2]["toWireType"](destructors, arguments[i]));
      }
      var rv = cppInvokerFunc.apply(null, wired);
      runDestructors(destructors);
      if (returns) return argTypes[0]["fromWireType"](rv);
    };
  },
  $replacePublicSymbol: function(name, value, numArguments) {
    Module[name] = value;
    Module[name].argCount = numArguments;
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

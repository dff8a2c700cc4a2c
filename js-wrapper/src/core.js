// The pure helpers of the core: condition evaluation, GrowthBook hashing and
// Mustache rendering, each a thin checked call into WebAssembly.
import { loadModule } from './loader.js';

export function toJson(value, what) {
  let text;
  try {
    text = JSON.stringify(value === undefined ? null : value);
    // A function, a Symbol or a toJSON() answering one has no JSON text:
    // passed on, the core's binding would refuse it with an error of its own type.
    if (text === undefined) throw new Error('no JSON text');
  } catch (error) {
    throw new TypeError(`${what} must be JSON-serializable: ${error.message}`);
  }
  return text;
}

export function requireObject(value, what, { optional = false } = {}) {
  if (optional && (value === undefined || value === null)) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${what} must be an object`);
  }
}

// Strings cross into the core as UTF-8, which has no form for a lone UTF-16
// surrogate (the loader's TextEncoder would turn it into U+FFFD, silently):
// refused here with its place, as the core refuses one escaped inside JSON.
// With the u flag only a lone surrogate is in Cs.
const LONE_SURROGATE = /\p{Cs}/u;

export function requireString(value, what) {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  const lone = value.search(LONE_SURROGATE);
  if (lone >= 0) throw new TypeError(`${what} must be well-formed Unicode (a lone surrogate at index ${lone})`);
}

// Results from the core come back as JSON text: {ok, ...} or {ok:false, error}.
export function parseResult(text) {
  return JSON.parse(text);
}

/**
 * Resolves to the pure helpers backed by the wasm core.
 * @param {{wasmUrl?: string|URL}} [options]
 */
export async function loadCore(options = {}) {
  requireObject(options, 'loadCore: options');
  const module = await loadModule(options.wasmUrl);
  return {
    evalCondition(attributes, condition, savedGroups) {
      requireObject(attributes, 'evalCondition: attributes');
      requireObject(condition, 'evalCondition: condition');
      requireObject(savedGroups, 'evalCondition: savedGroups', { optional: true });
      const result = parseResult(module._evalCondition(
          toJson(attributes, 'attributes'), toJson(condition, 'condition'),
          toJson(savedGroups ?? {}, 'savedGroups')));
      // Refused only when an argument is beyond what the core reads (nested
      // too deeply, a lone surrogate in a string): misuse, named.
      if (!result.ok) throw new TypeError(`evalCondition: ${result.error.message}`);
      return result.value;
    },
    hash(seed, value, version) {
      requireString(seed, 'hash: seed');
      requireString(value, 'hash: value');
      if (!Number.isInteger(version)) throw new TypeError('hash: version must be an integer');
      const n = module._hash(seed, value, version);
      return n < 0 ? null : n;
    },
    renderTemplate(template, view, partials) {
      requireString(template, 'renderTemplate: template');
      requireObject(partials, 'renderTemplate: partials', { optional: true });
      for (const [name, text] of Object.entries(partials ?? {})) {
        requireString(text, `renderTemplate: partials.${name}`);
      }
      const result = parseResult(module._renderTemplate(
          template, toJson(view ?? {}, 'view'), toJson(partials ?? {}, 'partials')));
      // A template that does not parse is a programming error, like a bad
      // regular expression literal: it throws, as mustache.js does. A view or
      // partials the core cannot read is misuse of the arguments.
      if (!result.ok) {
        const Refusal = result.argument ? TypeError : SyntaxError;
        throw new Refusal(`renderTemplate: ${result.error.message}`);
      }
      return result.html;
    },
  };
}

// The pure helpers of the core: condition evaluation, GrowthBook hashing and
// Mustache rendering, each a thin checked call into WebAssembly.
import { loadModule } from './loader.js';

export function toJson(value, what) {
  let text;
  try {
    text = JSON.stringify(value === undefined ? null : value);
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

export function requireString(value, what) {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
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
  const module = await loadModule(options.wasmUrl);
  return {
    evalCondition(attributes, condition, savedGroups) {
      requireObject(attributes, 'evalCondition: attributes');
      requireObject(condition, 'evalCondition: condition');
      requireObject(savedGroups, 'evalCondition: savedGroups', { optional: true });
      const result = parseResult(module._evalCondition(
          toJson(attributes, 'attributes'), toJson(condition, 'condition'),
          toJson(savedGroups ?? {}, 'savedGroups')));
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
      const result = parseResult(module._renderTemplate(
          template, toJson(view ?? {}, 'view'), toJson(partials ?? {}, 'partials')));
      // A template that does not parse is a programming error, like a bad
      // regular expression literal: it throws, as mustache.js does.
      if (!result.ok) throw new SyntaxError(`renderTemplate: ${result.error}`);
      return result.html;
    },
  };
}

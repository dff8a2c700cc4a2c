// Differential search: random templates, views and partials rendered by the
// wasm core and by mustache.js; prints every disagreement. Deterministic for
// a given seed. mustache.js escapes / ` = too; the spec asks for & < > " and
// Tessera adds ', so mustache.js is given Tessera's escape set. Where they
// differ the spec (../shared/spec/mustache) decides, not mustache.js.
//
//   MUSTACHE=/path/to/mustache.mjs node differential-mustache.mjs [count] [seed]
// (mustache is not in package.json: npm install mustache@4.2.0 elsewhere and
// point MUSTACHE at its mustache.mjs.) SHOW_WHITESPACE=1 prints the
// whitespace-only differences too. Found no Tessera bug in 300,000 templates;
// every difference seen was mustache.js leaving the spec: it drops lines of
// several tags as if standalone, indents inline partials, does not push
// `true` for {{.}}, and lets a dotted name whose first part resolved fall back
// to outer contexts.
import { seededRandom } from "./condition-generator.mjs";

const COUNT = Number(process.argv[2] ?? 100000);
const SEED = Number(process.argv[3] ?? 1);
const Mustache = (await import(process.env.MUSTACHE ?? "mustache")).default;
Mustache.templateCache = undefined;  // every template is new: do not keep them
const { loadCore } = await import(process.env.TESSERA_CORE ?? "../../js-wrapper/src/index.js");
const core = await loadCore();
const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
Mustache.escape = (text) => String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);

const { rnd, pick } = seededRandom(SEED);

const NAMES = ["a", "b", "c", "a.b", "b.c", "a.b.c", ".", "list", "x", "list.0", "n", "e"];
const TEXTS = ["", " ", "  ", "\n", "\r\n", "x", "<&>\"'", "\t", "a b", "é", "{", "}", " \n ", "|"];

function value(depth) {
  switch (rnd(depth > 0 ? 9 : 6)) {
    case 0: return null;
    case 1: return rnd(2) === 1;
    case 2: return pick([0, 1, -0, 1.5, 1e21, 1e-7, -3, 0.1]);
    case 3: case 4: return pick(["", "v", "<b>", "&amp;", "0", "a\nb", " ", "'q'", "{{a}}"]);
    case 5: return rnd(3) ? pick(["v", "w"]) : "";
    case 6: case 7: return Array.from({ length: rnd(3) }, () => value(depth - 1));
    default: {
      const o = {};
      for (let k = rnd(3); k > 0; k--) o[pick(["a", "b", "c", "x", "list", "n"])] = value(depth - 1);
      return o;
    }
  }
}

// Tags with the current delimiters; set-delimiter changes them for the rest.
function template(depth, open, close, out, partialNames = ["p", "q", "none"]) {
  for (let k = rnd(5); k > 0; k--) {
    const r = rnd(depth > 0 ? 16 : 11);
    const name = pick(NAMES);
    const pad = () => pick(["", "", " "]);
    if (r < 3) out.push(pick(TEXTS));
    else if (r < 5) out.push(`${open}${pad()}${name}${pad()}${close}`);
    else if (r === 5) out.push(open === "{{" ? `{{{${pad()}${name}${pad()}}}}` : `${open}&${name}${close}`);
    else if (r === 6) out.push(`${open}&${pad()}${name}${close}`);
    else if (r === 7) out.push(`${open}!${pick([" c ", "", "x\ny", "{{"])}${close}`);
    else if (r === 8) out.push(`${open}>${pad()}${pick(partialNames)}${pad()}${close}`);
    else if (r === 9) out.push(pick(["\n", " ", "\r\n", "  "]));
    else if (r === 10 && rnd(4) === 0) {
      const [o2, c2] = pick([["<%", "%>"], ["[", "]"], ["{{", "}}"], ["|", "|"], ["<<", ">>"]]);
      out.push(`${open}=${o2} ${c2}=${close}`);
      open = o2; close = c2;
    } else if (r >= 11) {
      const sigil = r < 14 ? "#" : "^";
      const lead = pick(["", "\n", " ", "  "]);
      out.push(`${lead}${open}${sigil}${name}${close}${pick(["", "\n"])}`);
      [open, close] = template(depth - 1, open, close, out, partialNames);
      out.push(`${pick(["", "\n", " "])}${open}/${name}${close}${pick(["", "\n", " \n"])}`);
    }
  }
  return [open, close];
}

const logError = console.error;
let whitespaceOnly = 0, mismatches = 0, bothFail = 0, compared = 0;
for (let i = 0; i < COUNT; i++) {
  const parts = [];
  template(2, "{{", "}}", parts);
  const text = parts.join("");
  const view = {};
  for (const k of ["a", "b", "c", "list", "x", "n", "e"]) if (rnd(3)) view[k] = value(2);
  // mustache.js indexes strings ("ab.0" is "a"); the spec leaves that to the
  // implementation and Tessera descends through arrays and objects only.
  if (typeof view.list === "string") delete view.list;
  const partials = {};
  // Partial p never includes itself: mustache.js has no depth limit, and a
  // recursion through sections can grow until the heap runs out.
  if (rnd(2)) { const p = []; template(1, "{{", "}}", p, ["q", "none"]); partials.p = p.join(""); }
  if (rnd(3) === 0) partials.q = pick(["x", "{{a}}\n", "  {{b}}\n", "{{#list}}{{.}}{{/list}}", "|\n|"]);
  let expected, actual;
  try { expected = Mustache.render(text, view, partials); } catch (e) { expected = "throws"; }
  try { actual = core.renderTemplate(text, view, partials); } catch (e) { actual = "throws"; }
  if (expected === "throws" && actual === "throws") { bothFail++; continue; }
  compared++;
  // mustache.js also drops a line holding only several tags (the spec
  // strips a line holding one standalone tag): whitespace-only differences
  // are counted apart; the spec suite covers whitespace.
  const squeeze = (t) => t.replace(/\s/g, "");
  if (expected !== actual && expected !== "throws" && actual !== "throws" &&
      squeeze(expected) === squeeze(actual)) {
    whitespaceOnly++;
    if (process.env.SHOW_WHITESPACE) process.stdout.write(JSON.stringify({ i, whitespace: true, template: text, view, partials, mustache: expected, tessera: actual }) + "\n");
  } else if (expected !== actual) {
    mismatches++;
    if (mismatches <= 100) process.stdout.write(JSON.stringify({ i, template: text, view, partials, mustache: expected, tessera: actual }) + "\n");
  }
}
console.error = logError;
console.error(`${COUNT} templates, seed ${SEED}: ${compared} compared, ${bothFail} rejected by both, ${whitespaceOnly} differ in whitespace only, ${mismatches} mismatches`);

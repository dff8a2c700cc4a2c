// The hand-written TypeScript types (src/index.d.ts) against the compiler and
// against the SDK itself: a usage file compiles under `strict` through the
// package's `exports`, and the members the types declare are the ones the
// objects the SDK hands out really have.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { createTessera, loadCore, memoryBackend } from '../src/index.js';
import { artifact } from './helpers.js';

const usageFile = fileURLToPath(new URL('types/usage.ts', import.meta.url));
const typesFile = fileURLToPath(new URL('../src/index.d.ts', import.meta.url));

const program = ts.createProgram([usageFile], {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.Node16,
  moduleResolution: ts.ModuleResolutionKind.Node16,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  types: [],
});

test('a strict TypeScript program using the whole API compiles', () => {
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  assert.deepEqual(problems, []);
  assert.ok(program.getSourceFiles().some((f) => f.fileName === typesFile),
      "the package's exports map led the compiler to src/index.d.ts");
});

/** The property names an interface of index.d.ts declares, and which are optional. */
function declared(name) {
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(typesFile);
  const node = file.statements.find((s) => ts.isInterfaceDeclaration(s) && s.name.text === name);
  assert.ok(node, `interface ${name}`);
  const properties = checker.getTypeAtLocation(node).getProperties();
  return {
    all: properties.map((p) => p.name).sort(),
    required: properties.filter((p) => !(p.flags & ts.SymbolFlags.Optional)).map((p) => p.name).sort(),
  };
}

/** Every required member is present and nothing undeclared is there. */
function assertShape(value, name, { extraAllowed = [] } = {}) {
  const { all, required } = declared(name);
  const keys = Object.keys(value).filter((k) => !extraAllowed.includes(k));
  for (const key of required) assert.ok(key in value, `${name}.${key} is declared but missing`);
  for (const key of keys) assert.ok(all.includes(key), `${name}.${key} exists but is not declared`);
}

test('the instance, its results and the core helpers have the declared members', async () => {
  const t = await createTessera({ site: 'demo', artifact, storage: memoryBackend() });
  for (const member of declared('Tessera').required) {
    assert.notEqual(t[member], undefined, `Tessera.${member} is declared but missing`);
  }
  assertShape(t.consent.get(), 'ConsentState');
  t.consent.set({ analytics: true, personalization: true });
  const decision = t.decide('hero');
  assertShape(decision, 'Decision', { extraAllowed: ['ok'] });
  t.loadArtifact({ ...artifact, version: 'with-experiment',
    slots: [{ ...artifact.slots[0], experiment: 'hero-test' }],
    experiments: [{ key: 'hero-test', variations: ['standard', 'vip', 'buyer'] }] });
  const assigned = t.decide('hero');
  assert.equal(assigned.source, 'experiment', JSON.stringify(assigned));
  assertShape(assigned.exposure, 'Exposure');
  assertShape(await t.flush(), 'FlushResult');
  t.destroy();
  const core = await loadCore();
  assertShape(core, 'Core');
});

test('the instance handed out when WebAssembly cannot run has them too', async () => {
  const consoleError = console.error;
  console.error = () => {};
  let t;
  try {
    t = await createTessera({ site: 'demo', wasmUrl: 'file:///nonexistent/tessera_core.wasm' });
  } finally {
    console.error = consoleError;
  }
  assert.equal(t.disabled, true);
  for (const member of declared('Tessera').all) {
    assert.notEqual(t[member], undefined, `Tessera.${member} is declared but missing when disabled`);
  }
  assertShape(t.consent.get(), 'ConsentState');
  assertShape(await t.flush(), 'FlushResult');
});

import * as fs from 'fs';
import * as path from 'path';
import { loadESLint } from 'eslint';
import { layerZones, meshFolders } from '../projenrc/layers';

// The import rules of .eslintrc.json (generated from .projenrc.ts: the layers of src/ and no import cycle),
// run on test/fixtures/layers/ rooted there, with the zones projenrc/layers.ts derives from the fixture's own
// mesh folders (so kuma/, which .projenrc.ts names nowhere, is fenced like the others): they must fail on a
// cycle, an upward import, a mesh folder importing another, a renderer importing a pattern's construct and a
// pattern importing src/meshes/ but through src/patterns/renderers.ts, and pass the allowed imports.
const ROOT = path.join(__dirname, '..');
const FIXTURE = path.join(__dirname, 'fixtures', 'layers');
const RULES = ['import/no-restricted-paths', 'import/no-cycle'];

function projectRules(): Record<string, any> {
  const text = fs.readFileSync(path.join(ROOT, '.eslintrc.json'), 'utf8').replace(/^\/\/.*\n/, '');
  return JSON.parse(text).rules;
}

async function lint(): Promise<Map<string, string[]>> {
  const rules = projectRules();
  const [severity, options] = rules['import/no-restricted-paths'];
  const ESLint = await loadESLint({ useFlatConfig: false });
  const eslint = new ESLint({
    cwd: ROOT,
    ignore: false,
    // the same zones and cycle rule, rooted at the fixture; nothing else
    overrideConfig: {
      rules: {
        ...Object.fromEntries(Object.keys(rules).filter(r => !RULES.includes(r)).map(r => [r, 'off'])),
        'import/no-restricted-paths': [severity, { ...options, zones: layerZones(FIXTURE), basePath: FIXTURE }],
        'import/no-cycle': rules['import/no-cycle'],
      },
    },
  } as any);
  const files = (fs.readdirSync(path.join(FIXTURE, 'src'), { recursive: true }) as string[])
    .filter(f => f.endsWith('.ts')).map(f => path.join(FIXTURE, 'src', f));
  const results = await eslint.lintFiles(files);
  const out = new Map<string, string[]>();
  for (const r of results) {
    out.set(path.relative(path.join(FIXTURE, 'src'), r.filePath), r.messages.map(m => `${m.ruleId}: ${m.message}`));
  }
  return out;
}

let found: Map<string, string[]>;
beforeAll(async () => {
  found = await lint();
}, 120_000);

test('the project config has the layer and cycle rules on', () => {
  const rules = projectRules();
  expect(rules['import/no-restricted-paths'][0]).toBe('error');
  expect(rules['import/no-restricted-paths'][1].zones.length).toBeGreaterThan(10);
  expect(rules['import/no-cycle'][0]).toBe('error');
});

test('.eslintrc.json fences the mesh folders of today\'s src/meshes/ (a new folder fails here until `npx projen` runs)', () => {
  expect(projectRules()['import/no-restricted-paths'][1].zones).toEqual(layerZones(ROOT));
  expect(meshFolders(ROOT)).toEqual(expect.arrayContaining(['consul', 'istio', 'istio-ambient', 'linkerd']));
  expect(meshFolders(ROOT)).not.toContain('gateway-api');
});

test('the zones come from the folders: the fixture\'s kuma/ is named in neither .projenrc.ts nor projenrc/layers.ts', () => {
  expect(meshFolders(FIXTURE)).toEqual(['consul', 'istio', 'istio-ambient', 'kuma', 'linkerd']);
  for (const file of ['.projenrc.ts', 'projenrc/layers.ts']) {
    expect([file, fs.readFileSync(path.join(ROOT, file), 'utf8').includes('kuma')]).toEqual([file, false]);
  }
});

test('a cycle between two files fails', () => {
  expect(found.get('model/a.ts')).toEqual([expect.stringMatching(/^import\/no-cycle: Dependency cycle/)]);
  expect(found.get('model/b.ts')).toEqual([expect.stringMatching(/^import\/no-cycle: Dependency cycle/)]);
});

test('an upward import (model -> pattern) fails', () => {
  expect(found.get('model/upward.ts')).toEqual([expect.stringMatching(/^import\/no-restricted-paths: .*src\/model\/ imports only/)]);
});

test('a mesh folder importing another mesh folder fails', () => {
  expect(found.get('meshes/linkerd/other-mesh.ts')).toEqual([expect.stringMatching(/^import\/no-restricted-paths: .*imports no other mesh folder/)]);
});

test('a mesh folder named nowhere (kuma/) importing another fails, and so does gateway-api/ importing it', () => {
  expect(found.get('meshes/kuma/other-mesh.ts')).toEqual([expect.stringMatching(/^import\/no-restricted-paths: .*imports no other mesh folder/)]);
  expect(found.get('meshes/gateway-api/reads-kuma.ts')).toEqual([expect.stringMatching(/^import\/no-restricted-paths: .*src\/meshes\/gateway-api\/ is shared by the meshes/)]);
});

test('a pattern importing src/meshes/ but through src/patterns/renderers.ts fails: a renderer interface, the shared Gateway API writer', () => {
  for (const f of ['patterns/p/reads-interface.ts', 'patterns/p/reads-gateway-api.ts']) {
    expect([f, found.get(f)]).toEqual([f, [expect.stringMatching(/^import\/no-restricted-paths: .*only through src\/patterns\/renderers\.ts/)]]);
  }
});

test('a renderer importing a pattern construct fails', () => {
  expect(found.get('meshes/linkerd/reads-construct.ts')).toEqual([expect.stringMatching(/^import\/no-restricted-paths: .*not its construct/)]);
});

test('the allowed imports pass: kit, intent, shared gateway-api writer, pattern -> renderers.ts -> the meshes\' index and interfaces', () => {
  for (const f of ['private/kit.ts', 'patterns/p/intent.ts', 'patterns/p/construct.ts', 'meshes/istio/renderer.ts', 'meshes/gateway-api/route.ts',
    'patterns/renderers.ts', 'meshes/index.ts', 'meshes/renderer.ts', 'meshes/kuma/renderer.ts']) {
    expect([f, found.get(f)]).toEqual([f, []]);
  }
});

// what these rules do not see, and test/import-graph.test.ts does: a cycle through type-only imports, a mesh
// folder (or gateway-api) reaching another through a shared file, a renderer reaching a construct through props, the kit
// reading a pattern through an import('...') type (no-restricted-paths does not read type queries), a pattern's
// intent typed in an L1 binding and a pattern's props importing another pattern's intent
test('the chains and type-only imports they miss pass (test/import-graph.test.ts fails them)', () => {
  for (const f of ['model/types-a.ts', 'model/types-b.ts', 'meshes/enrolment.ts', 'meshes/consul/zero-trust.ts',
    'meshes/gateway-api/enrols.ts', 'meshes/consul/reads-props.ts', 'patterns/p/props.ts', 'private/typed.ts', 'model/via-kit.ts',
    'patterns/q/intent.ts', 'patterns/q/props.ts']) {
    expect([f, found.get(f)]).toEqual([f, []]);
  }
});

import * as fs from 'fs';
import * as path from 'path';
import { loadESLint } from 'eslint';

// The import rules of .eslintrc.json (generated from .projenrc.ts: the layers of src/ and no import cycle),
// run on test/fixtures/layers/ rooted there: they must fail on a cycle, an upward import, a mesh folder
// importing another and a renderer importing a pattern's construct, and pass the allowed imports.
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
        'import/no-restricted-paths': [severity, { ...options, basePath: FIXTURE }],
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

test('a renderer importing a pattern construct fails', () => {
  expect(found.get('meshes/linkerd/reads-construct.ts')).toEqual([expect.stringMatching(/^import\/no-restricted-paths: .*not its construct/)]);
});

test('the allowed imports pass: kit, intent, shared gateway-api writer, pattern -> renderer', () => {
  for (const f of ['private/kit.ts', 'patterns/p/intent.ts', 'patterns/p/construct.ts', 'meshes/istio/renderer.ts', 'meshes/gateway-api/route.ts']) {
    expect([f, found.get(f)]).toEqual([f, []]);
  }
});

// what these rules do not see, and test/import-graph.test.ts does: a cycle through type-only imports, a mesh
// folder (or gateway-api) reaching another through a shared file, a renderer reaching a construct through props, and the kit
// reading a pattern through an import('...') type (no-restricted-paths does not read type queries)
test('the chains and type-only imports they miss pass (test/import-graph.test.ts fails them)', () => {
  for (const f of ['model/types-a.ts', 'model/types-b.ts', 'meshes/enrolment.ts', 'meshes/consul/zero-trust.ts',
    'meshes/gateway-api/enrols.ts', 'meshes/consul/reads-props.ts', 'patterns/p/props.ts', 'private/typed.ts', 'model/via-kit.ts']) {
    expect([f, found.get(f)]).toEqual([f, []]);
  }
});

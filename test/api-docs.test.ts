import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const SUBMODULES = ['argoRollouts', 'consul', 'flagger', 'gatewayApi', 'istio', 'linkerd', 'prometheus', 'smi'];

describe('API.md (npx projen docgen, scripts/api-docs.ts)', () => {
  const api = fs.readFileSync(path.join(ROOT, 'API.md'), 'utf8');

  test('holds the library\'s own API and none of the generated L1 bindings', () => {
    for (const type of ['ResilientService', 'CanaryRelease', 'ZeroTrustNamespace', 'Mesh', 'ServiceRef', 'ReachabilityMatrix']) {
      expect(api).toContain(`id="cdk8s-mesh.${type}"`);
    }
    for (const sub of SUBMODULES) expect(api).not.toContain(`id="cdk8s-mesh.${sub}.`);
    // it was 2.3 MB with the bindings mixed in alphabetically
    expect(api.length).toBeLessThan(600_000);
  });

  test('links one page per L1 submodule in docs/api/, which holds that submodule\'s types', () => {
    const links = [...api.matchAll(/^- \[(\w+)\]\(\.\/docs\/api\/(\w+)\.md\)$/gm)].map(m => [m[1], m[2]]);
    expect(links.map(([name]) => name)).toEqual(SUBMODULES);
    for (const [name, file] of links) {
      expect(file).toBe(name);
      const page = fs.readFileSync(path.join(ROOT, 'docs', 'api', `${file}.md`), 'utf8');
      expect(page.startsWith(`# \`${name}\` Submodule`)).toBe(true);
      expect(page).toContain(`id="cdk8s-mesh.${name}.`);
    }
    expect(fs.readdirSync(path.join(ROOT, 'docs', 'api')).sort()).toEqual(SUBMODULES.map(s => `${s}.md`).sort());
  });
});

/** Every `@example` of the library's docstrings (what jsii-rosetta extracts from the assembly). */
function examples(): { name: string; code: string }[] {
  const out: { name: string; code: string }[] = [];
  const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap(e =>
    e.isDirectory() ? (e.name === 'imports' ? [] : walk(path.join(dir, e.name))) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
  for (const file of walk(path.join(ROOT, 'src'))) {
    const text = fs.readFileSync(file, 'utf8');
    let i = 0;
    for (const m of text.matchAll(/^\s*\* @example\n((?:\s*\*(?! @|\/).*\n)*)/gm)) {
      const code = m[1].split('\n').map(l => l.replace(/^\s*\* ?/, '')).join('\n');
      out.push({ name: `${path.relative(ROOT, file).replace(/[/.]/g, '_')}_${i++}.ts`, code });
    }
  }
  return out;
}

test('every @example compiles with rosetta/default.ts-fixture, as `jsii-rosetta extract --strict` compiles it', () => {
  const all = examples();
  expect(all.length).toBeGreaterThanOrEqual(15);
  const fixture = fs.readFileSync(path.join(ROOT, 'rosetta', 'default.ts-fixture'), 'utf8');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-examples-'));
  // rosetta puts each snippet at the fixture's `/// here` (its imports above the fixture); the fixture declares
  // only globals, so here it is one file for all the snippets, each a module of its own
  expect(fixture).toMatch(/^\/\/\/ here$/m);
  const globals = path.join(dir, 'fixture.ts');
  fs.writeFileSync(globals, fixture.replace('/// here', ''));
  const files = [globals, ...all.map(s => {
    const file = path.join(dir, s.name);
    fs.writeFileSync(file, `${s.code}\nexport {};\n`);
    return file;
  })];
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    ignoreDeprecations: '6.0',
    target: ts.ScriptTarget.ES2020,
    // no DOM and no Node types: rosetta compiles against the jsii dependencies only
    lib: ['lib.es2020.d.ts'],
    types: [],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    skipLibCheck: true,
    baseUrl: ROOT,
    paths: { 'cdk8s-mesh': ['src/index.ts'], '*': ['node_modules/*'] },
  });
  const diagnostics = ts.getPreEmitDiagnostics(program)
    // the library's own sources use Node; only the examples are checked here
    .filter(d => d.file?.fileName.startsWith(dir))
    .map(d => `${path.basename(d.file!.fileName)}:${d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  expect(diagnostics).toEqual([]);
});

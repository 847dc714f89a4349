import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');

/** Every ```ts block of the README and docs/, as a file. */
function snippets(): { name: string; code: string }[] {
  const files = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter(f => f.endsWith('.md')).map(f => `docs/${f}`)];
  const out: { name: string; code: string }[] = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    let i = 0;
    for (const m of text.matchAll(/```ts\n([\s\S]*?)```/g)) out.push({ name: `${file.replace(/[/.]/g, '_')}_${i++}.ts`, code: m[1] });
  }
  return out;
}

test('every TypeScript example in the README and docs/ compiles against the library', () => {
  const all = snippets();
  expect(all.length).toBeGreaterThanOrEqual(2);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-docs-'));
  const files = all.map(s => {
    const file = path.join(dir, s.name);
    // each snippet is a module of its own
    fs.writeFileSync(file, `${s.code}\nexport {};\n`);
    return file;
  });
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    ignoreDeprecations: '6.0',
    target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    baseUrl: ROOT,
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    types: ['node'],
    paths: { 'cdk8s-mesh': ['src/index.ts'], '*': ['node_modules/*'] },
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).map(d => {
    const where = d.file ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  expect(diagnostics).toEqual([]);
});

test('docs/findings.md is generated from the current rules and examples (npx projen findings-doc)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { findingsDoc } = require('../scripts/findings-doc');
  expect(fs.readFileSync(path.join(ROOT, 'docs', 'findings.md'), 'utf8')).toBe(findingsDoc());
});

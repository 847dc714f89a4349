import { spawnSync } from 'child_process';
import { join } from 'path';
import { MeshAnalyzer } from '../../src';

// `cdk8s-mesh lint` loads only what its rules read: not the validator (structural.ts, ajv, the precompiled
// validators), not the CEL library, and the RE2 engine only when a VirtualService has a regex match to check
// (its Unicode tables are ~15 ms of start-up), and not cdk8s or constructs (the analysis reads pod specs through
// src/private/pod-spec.ts: loading cdk8s was ~70 ms of a lint run). The modules loaded are listed by the process itself.

const VS = (uri: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [web]
  http: [{match: [{uri: ${uri}}], route: [{destination: {host: web}}]}]
`;

function lint(yaml: string): { status: number | null; out: string; modules: string[] } {
  const script = 'const main = require("./src/cli/main"); process.exitCode = main.main(["lint", "-"]);'
    + 'process.on("exit", () => process.stderr.write("\\nMODULES " + JSON.stringify(Object.keys(require.cache))));';
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
    cwd: join(__dirname, '..', '..'), input: yaml, encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: 'test/tsconfig.json' },
  });
  const at = r.stderr.lastIndexOf('\nMODULES ');
  return { status: r.status, out: r.stdout, modules: at >= 0 ? JSON.parse(r.stderr.slice(at + 9)) : [] };
}

const loaded = (modules: string[], part: string) => modules.some(m => m.split('\\').join('/').includes(part));

describe('lint start-up', () => {
  test('without a regex match: neither the validator, ajv, CEL, RE2, cdk8s nor constructs is loaded', () => {
    const r = lint(VS('{prefix: /a}'));
    expect(r.status).toBe(0);
    expect(loaded(r.modules, 'src/analysis/analyzer')).toBe(true);
    for (const part of ['src/analysis/private/structural', 'node_modules/ajv/', 'node_modules/@bufbuild/cel/', 'node_modules/@bufbuild/re2/', 'validators/', 'node_modules/cdk8s/', 'node_modules/constructs/']) {
      expect([part, loaded(r.modules, part)]).toEqual([part, false]);
    }
  }, 120_000);

  test('the rules of the meshes absent from the manifests are not loaded, and the summary counts the rules that ran', () => {
    const istio = lint(VS('{prefix: /a}'));
    expect(['istio', 'linkerd', 'consul'].map(m => loaded(istio.modules, `src/analysis/rules/${m}`))).toEqual([true, false, false]);
    const linkerd = lint('apiVersion: policy.linkerd.io/v1beta3\nkind: Server\nmetadata: {name: web, namespace: shop}\nspec: {podSelector: {matchLabels: {app: web}}, port: 8080}\n');
    expect(linkerd.status).toBe(0);
    expect(['istio', 'linkerd', 'consul'].map(m => loaded(linkerd.modules, `src/analysis/rules/${m}`))).toEqual([false, true, false]);
    // the Istio rules and those of every mesh; the Linkerd rules and those of every mesh: fewer than all
    const count = (out: string) => Number(/analyzed with (\d+) rules/.exec(out)?.[1]);
    const all = MeshAnalyzer.rules();
    const any = all.filter(r => r.mesh === 'any').length;
    expect(count(istio.out)).toBe(all.filter(r => r.mesh === 'istio').length + any);
    expect(count(linkerd.out)).toBe(all.filter(r => r.mesh === 'linkerd').length + any);
  }, 120_000);

  test('with a regex match: RE2 is loaded and checks it (a look-ahead is refused)', () => {
    const bad = lint(VS('{regex: "/a(?=b)"}'));
    expect(loaded(bad.modules, 'node_modules/@bufbuild/re2/')).toBe(true);
    expect(bad.out).toMatch(/is not an RE2 regular expression/);
    expect(bad.status).toBe(1);
    const good = lint(VS('{regex: "/a[0-9]+"}'));
    expect(good.out).not.toMatch(/is not an RE2 regular expression/);
    expect(good.status).toBe(0);
  }, 120_000);
});

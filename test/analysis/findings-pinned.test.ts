/**
 * The checks' results, pinned: the exact findings (code, severity, resource, path, line, message) of the
 * validator and the analyzer on the shop example of every mesh, on the validator's bad-input corpus and on
 * the analyzer's rule examples, and the warnings synthesis prints. Work that makes the checks cheaper must
 * leave these unchanged (issue 26: "the same findings on the same inputs").
 */
import * as fs from 'fs';
import * as path from 'path';
import { Testing, Yaml } from 'cdk8s';
import * as jsyaml from 'js-yaml';
import { BAD, FIXTURES } from './bad-manifests';
import { SHOP_MESHES, Shop } from '../../examples/shop/main';
import { Finding, ManifestValidator, MeshAnalyzer } from '../../src';
import { RULE_EXAMPLES } from '../../src/analysis/rules/examples';

const lines = (findings: Finding[]) => findings.map(f => ManifestValidator.formatFinding(f) + (f.rule ? ` {rule: ${f.rule}}` : ''));

describe('findings pinned', () => {
  test.each(SHOP_MESHES.map(([name, mesh]) => [name, mesh] as const))('the shop on %s: synthesis warnings, validate and lint findings', (_name, mesh) => {
    const printed: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s: any) => { printed.push(String(s)); return true; });
    let yaml: string;
    try {
      yaml = Yaml.stringify(...Testing.synth(new Shop(Testing.app(), 'shop', { mesh })));
    } finally {
      spy.mockRestore();
    }
    expect({
      printed,
      validate: lines(ManifestValidator.validateYaml(yaml, { fileName: 'shop.yaml' }).findings),
      validateStrict: lines(ManifestValidator.validateYaml(yaml, { fileName: 'shop.yaml', strict: true }).findings),
      lint: lines(MeshAnalyzer.analyzeYaml(yaml, { fileName: 'shop.yaml' }).findings),
    }).toMatchSnapshot();
  });

  test('the bad-input corpus: as objects, and as one YAML stream (with lines)', () => {
    const docs = BAD.map(c => c.doc());
    const stream = docs.map(d => jsyaml.dump(d, { noRefs: true, lineWidth: -1 })).join('---\n');
    expect({
      objects: BAD.map(c => `${c.name}: ${lines(ManifestValidator.validateObjects([c.doc()]).findings).join(' | ')}`),
      yaml: lines(ManifestValidator.validateYaml(stream, { fileName: 'bad.yaml' }).findings),
      lint: lines(MeshAnalyzer.analyzeYaml(stream, { fileName: 'bad.yaml' }).findings),
    }).toMatchSnapshot();
  });

  test('the valid fixtures', () => {
    const files = fs.readdirSync(FIXTURES).filter(f => f.endsWith('.yaml')).sort().map(f => path.join(FIXTURES, f));
    expect({
      validate: lines(ManifestValidator.validateFiles(files).findings).map(l => l.replace(FIXTURES, '<fixtures>')),
      lint: lines(MeshAnalyzer.analyzeFiles(files).findings).map(l => l.replace(FIXTURES, '<fixtures>')),
    }).toMatchSnapshot();
  });

  test('the analyzer rule examples (bad and fixed), validated and analyzed', () => {
    const out: Record<string, unknown> = {};
    RULE_EXAMPLES.forEach((e, i) => {
      const id = `${e.code} ${RULE_EXAMPLES.slice(0, i).filter(x => x.code === e.code).length + 1}`;
      out[id] = {
        lint: lines(MeshAnalyzer.analyzeYaml(e.bad, { fileName: 'bad.yaml' }).findings),
        validate: lines(ManifestValidator.validateYaml(e.bad, { fileName: 'bad.yaml' }).findings),
        fixedValidate: lines(ManifestValidator.validateYaml(e.fixed, { fileName: 'fixed.yaml' }).findings),
      };
    });
    // one snapshot per rule code: a rule added later adds its own entry without changing the others
    for (const code of [...new Set(RULE_EXAMPLES.map(e => e.code))]) {
      expect(Object.fromEntries(Object.entries(out).filter(([k]) => k.split(' ')[0] === code))).toMatchSnapshot(code);
    }
  });

  test('validateYaml (documents checked in place when nothing is shared) gives the findings of validateObjects (on copies)', () => {
    const strip = (list: Finding[]) => list.map(f => `${f.code} ${f.resource} ${f.path} ${f.message}`);
    const stream = BAD.map(c => jsyaml.dump(c.doc(), { noRefs: true, lineWidth: -1 })).join('---\n');
    const docs = jsyaml.loadAll(stream) as any[];
    expect(strip(ManifestValidator.validateYaml(stream).findings)).toEqual(strip(ManifestValidator.validateObjects(docs).findings));
    // an anchor shared by two routes (defaults are written into each place), a null, and a __proto__ key: copied as before
    const shared = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: shop}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: &m [{path: {value: /a}}]
    backendRefs: [{name: a, port: 80}]
  - matches: *m
    backendRefs: [{name: b, port: ~}]
    __proto__: {x: 1}
`;
    const parsed = jsyaml.loadAll(shared) as any[];
    expect(strip(ManifestValidator.validateYaml(shared).findings)).toEqual(strip(ManifestValidator.validateObjects(parsed).findings));
    expect(strip(ManifestValidator.validateYaml(shared).findings).length).toBeGreaterThan(0);
    // .nan and .inf (which a JSON copy makes null) are refused when read, as kubectl refuses them
    expect(strip(ManifestValidator.validateYaml(shared.replace('port: ~', 'port: .nan')).findings)).toEqual([
      expect.stringMatching(/^YAML001 .* the YAML is refused: document 0 has \.nan or \.inf at spec\.rules\.1\.backendRefs\.0\.port/),
    ]);
  });
});

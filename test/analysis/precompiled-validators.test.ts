/**
 * The structural validators precompiled by the build (scripts/validators.ts, validators/) are the pinned
 * schemas' (each module embeds the SHA-256 of the schema file it was made from, and is the generator's
 * output on that file), are the ones used, and give the findings ajv's run-time compilation gives.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing, Yaml } from 'cdk8s';
import * as jsyaml from 'js-yaml';
import { ALL, BAD } from './bad-manifests';
import { SHOP_MESHES, Shop } from '../../examples/shop/main';
import { generateValidators, validatorModule } from '../../scripts/validators';
import { Finding, ManifestValidator } from '../../src';
import { reviveParsed, serializeParsed } from '../../src/analysis/private/cel';
import {
  pinnedSchema, pinnedSchemaFiles, resetValidators, schemaHash, VALIDATOR_FORMAT, validatorFile, validatorSource, VALIDATORS_DIR,
} from '../../src/analysis/private/structural';

const SCHEMAS = path.join(__dirname, '..', '..', 'schemas');
const lines = (findings: Finding[]) => findings.map(f => ManifestValidator.formatFinding(f) + (f.rule ? ` {rule: ${f.rule}}` : ''));

// the build writes validators/ (pre-compile); a test run on a fresh checkout writes it the same way
beforeAll(() => {
  if (!fs.existsSync(VALIDATORS_DIR)) generateValidators();
});
afterEach(() => resetValidators(true));

/** The inputs: the bad-input corpus (objects and a YAML stream), the valid fixtures, the shop of every mesh. */
function inputs(): { name: string; run: () => Finding[] }[] {
  const stream = BAD.map(c => jsyaml.dump(c.doc(), { noRefs: true, lineWidth: -1 })).join('---\n');
  const quiet = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  let shops: [string, string][];
  try {
    shops = SHOP_MESHES.map(([name, mesh]) => [name, Yaml.stringify(...Testing.synth(new Shop(Testing.app(), 'shop', { mesh })))]);
  } finally {
    quiet.mockRestore();
  }
  return [
    ...BAD.map(c => ({ name: `bad ${c.name}`, run: () => ManifestValidator.validateObjects([c.doc()]).findings })),
    { name: 'bad stream', run: () => ManifestValidator.validateYaml(stream, { fileName: 'bad.yaml' }).findings },
    { name: 'fixtures', run: () => ManifestValidator.validateObjects(JSON.parse(JSON.stringify(ALL))).findings },
    ...shops.map(([name, yaml]) => ({ name: `shop ${name}`, run: () => ManifestValidator.validateYaml(yaml, { fileName: 'shop.yaml', strict: true }).findings })),
  ];
}

describe('precompiled validators', () => {
  test('one per pinned kind, made from the pinned schema file: its hash embedded, and the generator\'s output on it', () => {
    const files = Object.values(pinnedSchemaFiles());
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) {
      const text = fs.readFileSync(path.join(SCHEMAS, file), 'utf8');
      const module = fs.readFileSync(path.join(VALIDATORS_DIR, validatorFile(file)), 'utf8');
      expect(module).toContain(`exports.sha256 = "${schemaHash(text)}";`);
      expect(module).toBe(validatorModule(text, file));
    }
  });

  test('the CEL rules parsed by the build are the parser\'s expressions, for every rule of every kind that parses', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cel = require('@bufbuild/cel') as typeof import('@bufbuild/cel');
    let rules = 0;
    for (const file of Object.values(pinnedSchemaFiles())) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const parsed: Record<string, string> = require(path.join(VALIDATORS_DIR, validatorFile(file))).cel;
      const all: string[] = [];
      const walk = (s: any) => {
        if (!s || typeof s !== 'object') return;
        for (const r of s['x-kubernetes-validations'] ?? []) all.push(r.rule);
        Object.values(s.properties ?? {}).forEach(walk);
        if (typeof s.additionalProperties === 'object') walk(s.additionalProperties);
        walk(s.items);
      };
      walk(JSON.parse(fs.readFileSync(path.join(SCHEMAS, file), 'utf8')).schema);
      for (const rule of new Set(all)) {
        let expected: unknown;
        try {
          expected = cel.parse(rule);
        } catch {
          expected = undefined;
        }
        if (expected === undefined || /\boldSelf\b/.test(rule)) {
          expect([file, rule, parsed[rule]]).toEqual([file, rule, undefined]);
        } else {
          expect(reviveParsed(parsed[rule])).toStrictEqual(expected);
          rules++;
        }
      }
    }
    expect(rules).toBeGreaterThan(150);
    // the values the parser's messages hold besides plain data come back as they were
    const odd = { id: 12345678901234567890n, bytes: new Uint8Array([0, 255]), unset: undefined, inf: -Infinity, nan: NaN, zero: -0, list: [1n, 'x'] };
    expect(reviveParsed(serializeParsed(odd))).toStrictEqual(odd);
    // a key `__proto__` (JSON.parse makes it an own key) stays a key, its value revived, the prototype untouched
    const proto = reviveParsed('{"__proto__":{"$n":"7"},"a":[{"$u":1},{"$d":"-0"}]}');
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(proto, '__proto__')?.value).toBe(7n);
    expect(proto.a).toHaveLength(2);
    expect(proto.a[0]).toBeUndefined();
    expect(Object.is(proto.a[1], -0)).toBe(true);
  });

  test('the same findings as the validators ajv compiles at run time, on the corpus, the fixtures and the shops', () => {
    const cases = inputs();
    resetValidators(true);
    const precompiled = cases.map(c => ({ name: c.name, findings: lines(c.run()) }));
    // every kind met was checked with its precompiled validator
    const kinds = Object.keys(pinnedSchemaFiles()).filter(k => validatorSource(k));
    expect(kinds.length).toBeGreaterThan(25);
    for (const k of kinds) expect([k, validatorSource(k)]).toEqual([k, 'precompiled']);
    resetValidators(false);
    const compiled = cases.map(c => ({ name: c.name, findings: lines(c.run()) }));
    for (const k of kinds) expect([k, validatorSource(k)]).toEqual([k, 'compiled']);
    expect(precompiled).toEqual(compiled);
    // the corpus has errors, so the comparison is not of empty lists
    expect(precompiled.filter(c => c.findings.some(l => l.startsWith('ERROR'))).length).toBeGreaterThan(BAD.length / 2);
  });

  test('a precompiled validator made from another schema is not used: ajv compiles the pinned one', () => {
    const key = 'networking.istio.io/v1/VirtualService';
    const file = pinnedSchemaFiles()[key];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validators-'));
    // the module of a schema that differs from the pinned one (a field less), with that schema's hash
    const other = JSON.parse(fs.readFileSync(path.join(SCHEMAS, file), 'utf8'));
    delete other.schema.properties.spec.properties.hosts;
    fs.mkdirSync(path.dirname(path.join(dir, validatorFile(file))), { recursive: true });
    fs.writeFileSync(path.join(dir, validatorFile(file)), validatorModule(JSON.stringify(other), file));
    const vs = ALL.find(d => d.kind === 'VirtualService');
    expect(vs.spec.hosts).toBeDefined();
    resetValidators(true, dir);
    pinnedSchema(vs.apiVersion, vs.kind);
    const findings = ManifestValidator.validateObjects([JSON.parse(JSON.stringify(vs))]).findings;
    expect(validatorSource(key)).toBe('compiled');
    // with the other schema's validator, hosts would be an unknown field
    expect(findings.filter(f => f.path.includes('hosts'))).toEqual([]);
    // and the same module under the pinned schema's hash is used (so the check above is the hash's); another
    // folder, as a module is loaded once per path
    const forged = fs.mkdtempSync(path.join(os.tmpdir(), 'validators-'));
    fs.mkdirSync(path.dirname(path.join(forged, validatorFile(file))), { recursive: true });
    // (and under the hash of the pinned schema's JSON Schema, which the validator checks at a first error)
    const pinnedText = fs.readFileSync(path.join(SCHEMAS, file), 'utf8');
    const pinnedRoot = /exports\.root = "[0-9a-f]+";/.exec(validatorModule(pinnedText, file))![0];
    fs.writeFileSync(path.join(forged, validatorFile(file)), validatorModule(JSON.stringify(other), file)
      .replace(/exports\.sha256 = "[0-9a-f]+";/, `exports.sha256 = "${schemaHash(pinnedText)}";`)
      .replace(/exports\.root = "[0-9a-f]+";/, pinnedRoot));
    resetValidators(true, forged);
    const stale = ManifestValidator.validateObjects([JSON.parse(JSON.stringify(vs))]).findings;
    expect(validatorSource(key)).toBe('precompiled');
    expect(stale.map(f => f.message).join('\n')).toContain('unknown field "hosts"');
  });

  test('a precompiled validator of another form (an earlier build\'s: subschemas not shared) is not used', () => {
    // (a kind whose validator needs nothing of ajv's runtime, which a module out of the package cannot load)
    const key = 'networking.istio.io/v1/VirtualService';
    const file = pinnedSchemaFiles()[key];
    const text = fs.readFileSync(path.join(SCHEMAS, file), 'utf8');
    const module = validatorModule(text, file);
    expect(module).toContain(`exports.format = ${VALIDATOR_FORMAT};`);
    const vs = ALL.find(d => d.kind === 'VirtualService');
    const write = (code: string) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validators-'));
      fs.mkdirSync(path.dirname(path.join(dir, validatorFile(file))), { recursive: true });
      fs.writeFileSync(path.join(dir, validatorFile(file)), code);
      resetValidators(true, dir);
      ManifestValidator.validateObjects([JSON.parse(JSON.stringify(vs))]);
      return validatorSource(key);
    };
    expect(write(module)).toBe('precompiled');
    expect(write(module.replace(`exports.format = ${VALIDATOR_FORMAT};`, 'exports.format = 1;'))).toBe('compiled');
    expect(write(module.replace(`exports.format = ${VALIDATOR_FORMAT};\n`, ''))).toBe('compiled');
  });

  test('a precompiled validator of another JSON Schema of the pinned schema (another build\'s code) is replaced at a first error', () => {
    const key = 'networking.istio.io/v1/VirtualService';
    const file = pinnedSchemaFiles()[key];
    const module = validatorModule(fs.readFileSync(path.join(SCHEMAS, file), 'utf8'), file);
    expect(module).toMatch(/exports\.root = "[0-9a-f]{64}";/);
    const vs = ALL.find(d => d.kind === 'VirtualService');
    const bad = { ...JSON.parse(JSON.stringify(vs)), spec: { ...vs.spec, hosts: 'not-a-list', tcp: [{ unknownField: 1 }] } };
    const run = (code: string, obj: any) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validators-'));
      fs.mkdirSync(path.dirname(path.join(dir, validatorFile(file))), { recursive: true });
      fs.writeFileSync(path.join(dir, validatorFile(file)), code);
      resetValidators(true, dir);
      const findings = lines(ManifestValidator.validateObjects([JSON.parse(JSON.stringify(obj))]).findings);
      return { findings, source: validatorSource(key) };
    };
    const other = module.replace(/exports\.root = "[0-9a-f]+";/, `exports.root = "${'0'.repeat(64)}";`);
    // a valid object: the module is used (the check is made at a first error only)
    expect(run(other, vs)).toEqual({ findings: [], source: 'precompiled' });
    // an object with errors: ajv compiles the schema, and the findings are the ones of the right module
    const right = run(module, bad);
    expect(right.source).toBe('precompiled');
    expect(right.findings.filter(l => l.startsWith('ERROR')).length).toBeGreaterThanOrEqual(2);
    expect(run(other, bad)).toEqual({ findings: right.findings, source: 'compiled' });
  });
});

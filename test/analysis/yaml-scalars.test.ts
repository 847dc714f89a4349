import { loadManifests } from '../../src/analysis/private/yaml';
import { ManifestValidator } from '../../src/analysis/validator';

// Hand-written YAML is read as kubectl, Argo CD and the API server read it: sigs.k8s.io/yaml YAMLToJSON, i.e. go-yaml v2
// (YAML 1.1) plain scalars (go.yaml.in/yaml/v2 resolve.go). The expected values below are what YAMLToJSON gives for
// `v: <scalar>` (checked with the Go code, and the accept/reject verdicts with conformance/cmd/crdcheck).
const read = (scalar: string) => loadManifests(`v: ${scalar}\n`).documents[0].obj.v;

describe('plain scalars as go-yaml v2 reads them', () => {
  test.each([
    // booleans: resolveMapList
    ...['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE'].map(s => [s, true]),
    ...['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE'].map(s => [s, false]),
    // not in the map: strings
    ['oN', 'oN'], ['yEs', 'yEs'], ['tRue', 'tRue'], ['nULL', 'nULL'], ['.nAn', '.nAn'],
    // nulls
    ['~', null], ['null', null], ['Null', null], ['NULL', null],
    // ints: ParseInt(base 0) once `_` are removed, then ParseUint
    ['0x1F', 31], ['0X1f', 31], ['0o17', 15], ['0O17', 15], ['0b101', 5], ['0B11', 3], ['012', 10], ['00', 0], ['-0', 0],
    ['1_000', 1000], ['1__0', 10], ['1_', 1], ['-_1', -1], ['0x_1F', 31], ['+100', 100], ['-0x10', -16],
    ['0xFFFFFFFFFFFFFFFF', 18446744073709551615], ['-0x8000000000000000', -9223372036854775808],
    // past int64 / uint64: a hex number is a string, a signed one is no uint, a decimal or octal-looking one a float
    ['0x10000000000000000', '0x10000000000000000'], ['+0xFFFFFFFFFFFFFFFF', '+0xFFFFFFFFFFFFFFFF'],
    ['-0x8000000000000001', '-0x8000000000000001'], ['18446744073709551616', 18446744073709551616],
    ['0777777777777777777777777', 7.777777777777778e+23],
    // floats: yamlStyleFloat (no overflow), or ParseFloat for a leading '.'
    ['1e3', 1000], ['1.5E-3', 0.0015], ['1.', 1], ['+.5', 0.5], ['.5', 0.5], ['.5_5', 0.55], ['1_0.5', 10.5], ['08', 8], ['09', 9],
    ['1e400', '1e400'], ['.5e400', '.5e400'], ['._5', '._5'], ['.5__5', '.5__5'], ['.', '.'],
    // strings
    ['0x', '0x'], ['0b', '0b'], ['0o', '0o'], ['_1', '_1'], ['+', '+'], ['0x1p3', '0x1p3'], ['inf', 'inf'], ['NaN', 'NaN'],
    ['12:30', '12:30'], ['1.2.3', '1.2.3'], ['10Gi', '10Gi'], ['500m', '500m'], ['v1', 'v1'], ['1,000', '1,000'],
    // timestamps stay their text (decode.go keeps them as strings in an interface{})
    ['2024-01-02', '2024-01-02'], ['2024-1-2T03:04:05Z', '2024-1-2T03:04:05Z'],
  ] as [string, unknown][])('%s', (scalar, want) => {
    expect(read(scalar)).toStrictEqual(want);
  });

  test('quoted scalars and !!str stay strings; explicit tags are resolved as go-yaml resolves them', () => {
    expect(read('"on"')).toBe('on');
    expect(read("'012'")).toBe('012');
    expect(read('!!str yes')).toBe('yes');
    expect(read('!!str 0x10')).toBe('0x10');
    expect(read('!!bool yes')).toBe(true);
    expect(read('!!int 0x10')).toBe(16);
    expect(read('!!float 1')).toBe(1);
    expect(read('!!null ~')).toBe(null);
    expect(() => read('!!int 1.5')).toThrow(/cannot resolve/);
    expect(() => read('!!int 08')).toThrow(/cannot resolve/);
  });

  test('keys are strings: `on:` is the key "true", as YAMLToJSON writes it', () => {
    expect(Object.keys(loadManifests('on: a\n0x10: c\nkey: d\n').documents[0].obj)).toStrictEqual(['16', 'true', 'key']);
  });

  test('.nan and .inf are refused, as kubectl refuses them (JSON has no NaN or infinity); quoted they are strings', () => {
    for (const s of ['.nan', '.NaN', '.inf', '-.Inf', '+.INF']) {
      expect(() => loadManifests(`a: 1\n---\nspec:\n  list: [x, ${s}]\n`)).toThrow('document 1 has .nan or .inf at spec.list.1');
    }
    expect(read('".inf"')).toBe('.inf');
    // and the refusal does not carry over to the next stream
    expect(read('1')).toBe(1);
  });
});

// The validator on hand-written documents: each verdict is the API server's (crdcheck, pinned CRDs).
const vs = (exact: string, ignoreUriCase: string, meta = '') => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: r
  namespace: shop
${meta}spec:
  hosts: [reviews]
  http:
  - match:
    - headers:
        x-canary:
          exact: ${exact}
      ignoreUriCase: ${ignoreUriCase}
    route:
    - destination: {host: reviews}
`;
const dr = (maxConnections: string) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: r, namespace: shop}
spec:
  host: reviews
  trafficPolicy:
    connectionPool:
      tcp: {maxConnections: ${maxConnections}}
`;
const server = (port: string) => `apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: s, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  port: ${port}
  proxyProtocol: HTTP/1
`;
const serviceDefaults = (protocol: string, ms: string, dialedDirectly: string) => `apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceDefaults
metadata: {name: web, namespace: shop}
spec:
  protocol: ${protocol}
  localConnectTimeoutMs: ${ms}
  transparentProxy: {dialedDirectly: ${dialedDirectly}}
`;
const httpRoute = (hostname: string, port: string, weight: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: shop}
spec:
  parentRefs: [{name: gw}]
  hostnames: [${hostname}]
  rules:
  - backendRefs:
    - {name: web, port: ${port}, weight: ${weight}}
`;

function errors(text: string): string[] {
  return ManifestValidator.validateYaml(text).findings.filter(f => f.severity === 'error').map(f => `${f.code} ${f.path}: ${f.message}`);
}

describe('validate: YAML 1.1 scalars in string, boolean and integer fields (the API server\'s verdicts)', () => {
  test.each(['on', 'yes', 'y', 'Y', 'n', 'N', 'no', 'off', 'Off', 'OFF', '0x1F', '012', '1e3', '1_000', '.5'])('a string field with a plain %s: rejected', v => {
    expect(errors(vs(v, 'true')).some(e => e.includes('spec.http[0].match[0].headers.x-canary.exact'))).toBe(true);
  });
  test.each(['"on"', "'yes'", '!!str on', '!!str 1', 'x', '1.2.3', '2024-01-02', '~'])('a string field with %s: accepted (~ is a null, pruned)', v => {
    expect(errors(vs(v, 'true'))).toStrictEqual([]);
  });
  test('the message says to quote a boolean or number given for a string', () => {
    expect(errors(vs('on', 'true'))).toStrictEqual([
      'SCH001 spec.http[0].match[0].headers.x-canary.exact: must be of type string, got boolean true: quote the value if a string is meant',
    ]);
    // positions come from a second parse with `yaml` (lines.ts), by path only: the value's type does not matter
    expect(ManifestValidator.validateYaml(vs('on', 'true')).findings.map(f => f.line)).toStrictEqual([12]);
  });
  test.each(['yes', 'y', 'Y', 'on', 'On', 'ON', 'True', 'TRUE', 'no', 'n', 'off', 'false', '!!bool yes'])('a boolean field with %s: accepted', v => {
    expect(errors(vs('x', v))).toStrictEqual([]);
  });
  test.each(['"true"', '1', '0', 'oN'])('a boolean field with %s: rejected', v => {
    expect(errors(vs('x', v)).length).toBeGreaterThan(0);
  });
  test.each(['100', '0x64', '0o144', '0144', '0b1100100', '1_00', '1e2', '1.0e2', '100.0', '08', '+100', '0x_64', '!!int 100'])('an integer field with %s: accepted', v => {
    expect(errors(dr(v))).toStrictEqual([]);
  });
  test.each(['1.5', '"100"', '0x10000000000000000', '1e400', 'yes'])('an integer field with %s: rejected', v => {
    expect(errors(dr(v)).some(e => e.startsWith('SCH001 spec.trafficPolicy.connectionPool.tcp.maxConnections'))).toBe(true);
  });
  test('.inf in an integer field: the document is refused', () => {
    expect(errors(dr('.inf'))).toStrictEqual([expect.stringMatching(/^YAML001 : the YAML is refused: document 0 has \.nan or \.inf at spec\.trafficPolicy/)]);
  });

  test.each([
    ['labels:\n    app: on', 'label values must be strings, got true'],
    ['labels:\n    app: yes', 'label values must be strings, got true'],
    ['labels:\n    app: n', 'label values must be strings, got false'],
    ['labels:\n    app: 1_000', 'label values must be strings, got 1000'],
    ['labels:\n    app: 0x1F', 'label values must be strings, got 31'],
    ['labels:\n    app: 1.0', 'label values must be strings, got 1'],
    ['annotations:\n    note: off', 'annotation values must be strings, got false'],
  ])('metadata %s: rejected', (meta, message) => {
    expect(errors(vs('x', 'true', `  ${meta}\n`))).toStrictEqual([expect.stringContaining(message)]);
  });
  test.each(['labels:\n    app: "on"', 'labels:\n    app: 2024-01-02', 'annotations:\n    note: 12:30', 'labels:\n    on: x', 'labels:\n    y: x'])('metadata %s: accepted', meta => {
    expect(errors(vs('x', 'true', `  ${meta}\n`))).toStrictEqual([]);
  });
  test('namespace: n and name: yes are booleans', () => {
    expect(errors(dr('1').replace('namespace: shop', 'namespace: n'))).toStrictEqual([
      'DOC002 metadata.namespace: the namespace must be a string, got false: quote the value (kubectl reads a plain yes, no, on, off, y, n as a boolean)',
    ]);
    expect(errors(dr('1').replace('name: r', 'name: yes'))).toStrictEqual([
      'DOC002 metadata.name: the name must be a string, got true: quote the value (kubectl reads a plain yes, no, on, off, y, n as a boolean)',
    ]);
  });

  test.each([['8080', true], ['0x1F90', true], ['017620', true], ['8_080', true], ['"http"', true], ['on', false]])('Linkerd Server port %s', (port, ok) => {
    expect(errors(server(port)).length === 0).toBe(ok);
  });
  test.each([
    ['http', '100', 'yes', true], ['http', '100', 'on', true], ['http', '100', '"yes"', false],
    ['http', '0x10', 'true', true], ['http', '1e3', 'true', true], ['http', '1.5', 'true', false], ['on', '100', 'true', false],
  ])('Consul ServiceDefaults protocol %s, localConnectTimeoutMs %s, dialedDirectly %s', (protocol, ms, dd, ok) => {
    expect(errors(serviceDefaults(protocol, ms, dd)).length === 0).toBe(ok);
  });
  test.each([
    ['shop.example.com', '80', '0x10', true], ['shop.example.com', '80', '010', true], ['shop.example.com', '80', '1e1', true],
    ['shop.example.com', '80', 'yes', false], ['on', '80', '1', false], ['"on"', '80', '1', true],
    ['shop.example.com', '0b1010000', '1', true], ['shop.example.com', '80.5', '1', false],
  ])('Gateway API HTTPRoute hostname %s, port %s, weight %s', (hostname, port, weight, ok) => {
    expect(errors(httpRoute(hostname, port, weight)).length === 0).toBe(ok);
  });
});

// A null in metadata is Go's zero value for the API server, not an error: metadata is decoded into a metav1.ObjectMeta by
// JSON (apiextensions-apiserver objectmeta/coerce.go GetObjectMetaWithOptions, then SetObjectMeta), and sigs.k8s.io/json
// leaves a null string as "" (decode.go literalStore) and a null map as nil.
describe('validate: nulls in metadata, as the API server decodes them into ObjectMeta', () => {
  test.each([
    'annotations:\n    note: ~', 'annotations:\n    note:', 'annotations: {note: null}', 'labels:\n    app: ~', 'labels: {app: Null}',
    'labels: ~', 'annotations:', 'labels: ~\n  annotations: ~',
  ])('metadata %s: accepted (stored as "", or no map)', meta => {
    expect(errors(vs('x', 'true', `  ${meta}\n`))).toStrictEqual([]);
  });
  test.each([
    // the other side of each limit: a value that is not null nor a string, a key that is not valid
    ['annotations:\n    note: 0', 'annotation values must be strings, got 0'],
    ['labels:\n    app: []', 'label values must be strings, got []'],
    ['labels:\n    -app: ~', '"-app" is not a valid label key'],
    ['labels: []', 'labels must be a map of strings'],
  ])('metadata %s: rejected', (meta, message) => {
    expect(errors(vs('x', 'true', `  ${meta}\n`))).toStrictEqual([expect.stringContaining(message)]);
  });
  test('a null namespace is none (the request\'s namespace); a null name is none (required)', () => {
    expect(errors(dr('1').replace('namespace: shop', 'namespace: ~'))).toStrictEqual([]);
    expect(errors(dr('1').replace('name: r', 'name: ~'))).toStrictEqual(['DOC002 metadata.name: metadata.name is required']);
    expect(errors(dr('1').replace('namespace: shop', 'namespace: 0'))).toStrictEqual([
      'DOC002 metadata.namespace: the namespace must be a string, got 0: quote the value (kubectl reads a plain yes, no, on, off, y, n as a boolean)',
    ]);
  });
});

// Keys as YAMLToJSON writes them (sigs.k8s.io/yaml convertToJSONableObject), and merge keys as go-yaml v2 merges them
// (decode.go mapping, merge): checked against the Go code's output for each text.
const keysOf = (text: string) => loadManifests(text).documents[0].obj;

describe('keys and merge keys as kubectl reads them', () => {
  test.each([
    // a float key: strconv.FormatFloat(f, 'g', -1, 32)
    ['1.0', '1'], ['1.5', '1.5'], ['1e7', '1e+07'], ['1e3', '1000'], ['0.1', '0.1'], ['3.14159265358979', '3.1415927'],
    ['1e-5', '1e-05'], ['0.0001', '0.0001'], ['123456.0', '123456'], ['1234567.0', '1.234567e+06'], ['-0.0', '-0'],
    ['1e39', '.inf'], ['08', '8'], ['.5', '0.5'], ['18446744073709551616', '1.8446744e+19'],
    // float32 values halfway between two shortest candidates: half to even, as strconv (checked with Go 1.26)
    ['1085464.25', '1.0854642e+06'], ['22266.8125', '22266.812'], ['221051.125', '221051.12'],
    // an int key: in decimal, exactly (past 2^53 too); a bool key: "true" / "false"
    ['10000000', '10000000'], ['0x10', '16'], ['012', '10'], ['1_000', '1000'], ['9223372036854775807', '9223372036854775807'],
    ['-9223372036854775808', '-9223372036854775808'], ['on', 'true'], ['N', 'false'],
    // strings stay as written
    ['"1.0"', '1.0'], ['!!str 1e7', '1e7'], ['1.2.3', '1.2.3'], ['2024-01-02', '2024-01-02'],
  ])('the key %s is "%s"', (key, want) => {
    expect(Object.keys(keysOf(`${key}: v\n`))).toStrictEqual([want]);
    expect(Object.keys(keysOf(`{${key}: v}\n`))).toStrictEqual([want]);
  });

  test('a key written twice keeps its last value, as go-yaml v2 (not strict) keeps it; pairs and merges in order', () => {
    expect(keysOf('a: 1\nb: x\na: 2\n')).toStrictEqual({ a: 2, b: 'x' });
    expect(keysOf('m: {a: 1, a: 2}\n')).toStrictEqual({ m: { a: 2 } });
    // with a merge key between them: the last explicit pair wins; a merge after both replaces them
    expect(keysOf('base: &b {a: m}\nx:\n  a: 1\n  <<: *b\n  a: 3\n')).toStrictEqual({ base: { a: 'm' }, x: { a: 3 } });
    expect(keysOf('base: &b {a: m}\nx:\n  a: 1\n  a: 3\n  <<: *b\n')).toStrictEqual({ base: { a: 'm' }, x: { a: 'm' } });
    // the same for a finding: the repeated value is the one checked, and the file is read
    const r = ManifestValidator.validateYaml('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad\n  name: good\n  namespace: shop\n');
    expect(r.findings.filter(f => f.severity === 'error')).toEqual([]);
    const last = ManifestValidator.validateYaml('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\n  name: Bad\n  namespace: shop\n');
    expect(last.findings.filter(f => f.severity === 'error').map(f => `${f.path} line ${f.line}: ${f.message}`))
      .toEqual([expect.stringMatching(/^metadata\.name line 5: "Bad" is not a valid name/)]);
  });

  test('an alias of a number as a key is the key of the number as written: *f of &f 1e7 is "1e+07", of &h 0x10 "16"', () => {
    expect(keysOf('a: &f 1e7\nb: &h 0x10\nc: &s 1e7x\nm:\n  *f : x\n  *h : w\n  *s : z\n').m).toStrictEqual({ '1e+07': 'x', '16': 'w', '1e7x': 'z' });
    expect(keysOf('a: &f 1.0\nm: {*f : x}\n').m).toStrictEqual({ 1: 'x' });
    // the same anchor name in a later document: its own number
    expect(loadManifests('a: &f 1e7\nm: {*f : x}\n---\na: &f 2.5\nm: {*f : x}\n').documents.map(d => Object.keys(d.obj.m))).toStrictEqual([['1e+07'], ['2.5']]);
  });

  test('a sequence or mapping as a key refuses the document, as go-yaml refuses it ("invalid map key")', () => {
    expect(() => keysOf('a: 1\nb:\n  ? [x, z]\n  : v\n')).toThrow(/^the YAML cannot be parsed: a sequence as a key .*invalid map key.* \(line 3\)$/);
    expect(() => keysOf('{a: 1}: v\n')).toThrow(/a mapping as a key/);
    // a sequence or mapping as a value, followed by more keys or a comment, is fine
    expect(keysOf('a: [x, z]\nb: {c: 1} # : no key\nd:\n- e\nf: 1\n')).toStrictEqual({ a: ['x', 'z'], b: { c: 1 }, d: ['e'], f: 1 });
  });

  // each checked against sigs.k8s.io/yaml v1.6.0 YAMLToJSON (go-yaml v2.4.3), the reader of kubectl and crdcheck
  test.each([
    ['a: !!binary aGVsbG8=\n', { a: 'hello' }],
    ['a: !!binary |\n  aGVs\n  bG8=\n', { a: 'hello' }],
    ['a: !!timestamp 2024-01-02\n', { a: '2024-01-02' }],
    ['a: !!timestamp 2024-1-2T3:4:5Z\n', { a: '2024-1-2T3:4:5Z' }],
    ['a: !!timestamp 2024-01-02 10:00:00\n', { a: '2024-01-02 10:00:00' }],
    ['a: !Ref 10\n', { a: '10' }],
    ['a: !Ref\n', { a: '' }],
    ['a: !!set {x: ~}\n', { a: { x: null } }],
    ['a: !!omap [x, z]\n', { a: ['x', 'z'] }],
    ['!foo 10: x\n', { 10: 'x' }],
    ['a: !!str {b: 1}\n', { a: { b: 1 } }],
    ['a: ! 10\n', { a: '10' }],
  ])('explicit tags as go-yaml v2 reads them: %j', (text, want) => {
    expect(loadManifests(text).documents[0].obj).toStrictEqual(want);
  });

  test.each([
    ['a: !!binary abc\n'], ['a: !!binary YQ\n'], ['a: !!timestamp 2024-02-30\n'], ['a: !!timestamp x\n'],
    ['a: !!timestamp 2024-01-02T10:00:00\n'], ['a: !!timestamp 2024-01-02 10:00:00Z\n'], ['a: !!int abc\n'],
  ])('explicit tags go-yaml v2 refuses: %j', text => {
    expect(() => loadManifests(text)).toThrow(/^the YAML cannot be parsed: cannot resolve a node with .* explicit tag \(line 1\)$/);
  });

  test('a float key and an int key of one value are one key (as in JSON): the last one', () => {
    expect(keysOf('1.0: a\n1: b\n')).toStrictEqual({ 1: 'b' });
    expect(keysOf('? 1.0\n: a\n2.5 : b # c\n')).toStrictEqual({ 1: 'a', 2.5: 'b' });
  });

  test('null and uint64 keys refuse the document, as YAMLToJSON refuses them', () => {
    for (const key of ['~', 'null', 'Null', '0xFFFFFFFFFFFFFFFF', '18446744073709551615']) {
      expect(() => keysOf(`a: 1\nb:\n  ${key}: v\n`)).toThrow(/^the YAML is refused: .* is not a key kubectl can read: .*unsupported map key of type.* \(line 3\)$/);
    }
    // a null value, and the largest int64 key, are fine
    expect(keysOf('a: ~\nb:\n9223372036854775807: c\n')).toStrictEqual({ 'a': null, 'b': null, '9223372036854775807': 'c' });
  });

  test('<< merges as go-yaml v2: pairs in order, a merged key replaces an earlier one, a later key replaces a merged one', () => {
    const base = 'base: &b {x: 1, z: 1}\n';
    expect(keysOf(`${base}m:\n  x: 0\n  <<: *b\n`).m).toStrictEqual({ x: 1, z: 1 });
    expect(keysOf(`${base}m:\n  <<: *b\n  x: 0\n`).m).toStrictEqual({ x: 0, z: 1 });
    expect(keysOf(`${base}m: {x: 0, <<: *b, z: 2}\n`).m).toStrictEqual({ x: 1, z: 2 });
    // a sequence of mappings: the first one wins; two merge keys: the second wins
    expect(keysOf('a: &a {x: 1}\nb: &b {x: 2, z: 2}\nm:\n  <<: [*a, *b]\n').m).toStrictEqual({ x: 1, z: 2 });
    expect(keysOf('a: &a {x: 1}\nb: &b {x: 2, z: 2}\nm:\n  <<: *a\n  <<: *b\n').m).toStrictEqual({ x: 2, z: 2 });
    // an inline mapping, a merged mapping that merges, !!merge
    expect(keysOf('a: &a {x: 1, <<: {w: 2}}\nm: {<<: *a, z: 3}\n').m).toStrictEqual({ x: 1, w: 2, z: 3 });
    expect(keysOf('m:\n  !!merge "<<": {x: 1}\n').m).toStrictEqual({ x: 1 });
    // a quoted or !!str << is a plain key, and << as a value is a string
    expect(keysOf('m:\n  "<<": {x: 1}\n  k: <<\n').m).toStrictEqual({ '<<': { x: 1 }, 'k': '<<' });
    expect(keysOf('m:\n  !!str <<: {x: 1}\n').m).toStrictEqual({ '<<': { x: 1 } });
    // a plain !!merge <<, and the non-specific tag !<?> on a quoted << (resolved as plain), merge
    expect(keysOf('b: &b {x: 1}\nm:\n  !!merge <<: *b\n').m).toStrictEqual({ x: 1 });
    expect(keysOf('b: &b {x: 1}\nm:\n  !<?> \'<<\': *b\n').m).toStrictEqual({ x: 1 });
    // an alias of a << is a plain key, not a merge key
    expect(keysOf('k: &m <<\nz: {*m : 1}\n').z).toStrictEqual({ '<<': 1 });
    // a tag the library uses inside its reader, written in the YAML, is a tag go-yaml does not resolve: the text
    expect(keysOf('a: !<tag:cdk8s-mesh.io,2026:plain> yes\nb: !<tag:cdk8s-mesh.io,2026:plain> foo\n')).toStrictEqual({ a: 'yes', b: 'foo' });
    expect(keysOf('b: &b {x: 1}\nm:\n  !<tag:cdk8s-mesh.io,2026:plain> <<: *b\n').m).toStrictEqual({ '<<': { x: 1 } });
  });

  test('an explicit tag on a node without content: read or refused as go-yaml v2 does (crdcheck), never a TypeError', () => {
    expect(keysOf('a: !!null\nb: !!binary\nc: !!str\n')).toStrictEqual({ a: null, b: '', c: '' });
    for (const tag of ['int', 'bool', 'float', 'timestamp']) {
      expect(() => keysOf(`a: !!${tag}\n`)).toThrow(/^the YAML cannot be parsed: cannot resolve a node with !<tag:yaml\.org,2002:[a-z]+> explicit tag/);
    }
    // the non-specific tag !<?>, which go-yaml does not resolve, on no content: the empty text
    expect(keysOf('a: !<?>\nb:\n- !<?>\n')).toStrictEqual({ a: '', b: [''] });
  });

  test('a plain << without a value in a flow collection refuses the document, as go-yaml merges nothing into it', () => {
    // go-yaml v2 decode.go: a merge key whose value is no mapping fails ("map merge requires map or sequence of maps")
    for (const text of ['m: {<<}\n', 'm: {<<, a: 1}\n', 'm: [? <<]\n', 'm: {? <<}\n']) {
      expect(() => keysOf(text)).toThrow(/^the YAML cannot be parsed: cannot merge mappings/);
    }
  });

  test('<< of something else than mappings, or of a mapping that holds it, refuses the document', () => {
    for (const v of ['~', '[1]', '[{x: 1}, 2]', 'x']) {
      expect(() => keysOf(`m:\n  <<: ${v}\n`)).toThrow('map merge requires map or sequence of maps as the value (of `<<`) (line 2)');
    }
    expect(() => keysOf('a: &a\n  b:\n    <<: *a\n')).toThrow('the value of an anchor merged with `<<` contains itself (line 3)');
    expect(keysOf('m:\n  <<: []\n').m).toStrictEqual({});
  });
});

describe('validate: YAML 1.1 keys and merge keys, and the lines of their findings', () => {
  const lineOf = (text: string) => ManifestValidator.validateYaml(text).findings.filter(f => f.severity === 'error').map(f => `${f.line} ${f.path}`);
  test('a finding under an `on:` key is on its own line', () => {
    const text = vs('x', 'true').replace('        x-canary:\n          exact: x', '        on:\n          exact: on');
    expect(lineOf(text)).toStrictEqual(['12 spec.http[0].match[0].headers.true.exact']);
  });
  test('a float key is written as YAMLToJSON writes it: 1e7 is the annotation key "1e+07" (not a valid key), 1.0 is "1"', () => {
    expect(errors(vs('x', 'true', '  annotations:\n    1.0: a\n    10000000: b\n'))).toStrictEqual([]);
    expect(errors(vs('x', 'true', '  annotations:\n    a: b\n    1e7: c\n'))).toStrictEqual([
      expect.stringMatching(/^DOC002 metadata\.annotations\["1e\+07"\]: "1e\+07" is not a valid annotation key/),
    ]);
    expect(lineOf(vs('x', 'true', '  annotations:\n    a: b\n    1e7: c\n'))).toStrictEqual(['8 metadata.annotations["1e+07"]']);
  });
  test('a merged label value replaces an earlier one, and is replaced by a later one; the finding is on the merged value\'s line', () => {
    const bad = vs('x', 'true', '  labels:\n    size: small\n    <<: {size: on}\n');
    expect(errors(bad)).toStrictEqual([expect.stringContaining('metadata.labels.size: label values must be strings, got true')]);
    expect(lineOf(bad)).toStrictEqual(['8 metadata.labels.size']);
    expect(errors(vs('x', 'true', '  labels:\n    <<: {size: on}\n    size: small\n'))).toStrictEqual([]);
    // through an anchor: the value is where the anchor is
    const anchored = vs('x', 'true', '  annotations: &a {size: on}\n  labels:\n    <<: *a\n');
    expect(lineOf(anchored)).toStrictEqual(['6 metadata.labels.size', '6 metadata.annotations.size']);
  });
});

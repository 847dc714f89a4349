import * as fs from 'fs';
import * as path from 'path';
import { BAD, FIXTURES, ROUTE, set } from './bad-manifests';
import { ManifestValidator, Severity, ValidationCodes } from '../../src';

describe('valid manifests', () => {
  test.each(['istio.yaml', 'gateway-api.yaml', 'linkerd.yaml', 'consul.yaml'])('every document of %s passes with no finding', file => {
    const text = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
    const result = ManifestValidator.validateYaml(text, { fileName: file });
    expect(result.findings).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.checked).toBe(result.documents);
    expect(result.documents).toBeGreaterThan(3);
  });

  test('every kind the issue names has a pinned schema', () => {
    const kinds = ManifestValidator.supportedKinds();
    for (const k of [
      'networking.istio.io/v1/VirtualService', 'networking.istio.io/v1/DestinationRule', 'networking.istio.io/v1/Gateway',
      'networking.istio.io/v1/ServiceEntry', 'networking.istio.io/v1/Sidecar', 'networking.istio.io/v1alpha3/EnvoyFilter',
      'security.istio.io/v1/PeerAuthentication', 'security.istio.io/v1/AuthorizationPolicy', 'security.istio.io/v1/RequestAuthentication',
      'telemetry.istio.io/v1/Telemetry', 'gateway.networking.k8s.io/v1/HTTPRoute', 'gateway.networking.k8s.io/v1/GRPCRoute',
      'gateway.networking.k8s.io/v1/Gateway', 'gateway.networking.k8s.io/v1/ReferenceGrant', 'policy.linkerd.io/v1beta3/Server',
      'policy.linkerd.io/v1alpha1/AuthorizationPolicy', 'policy.linkerd.io/v1alpha1/MeshTLSAuthentication',
      'policy.linkerd.io/v1alpha1/NetworkAuthentication', 'policy.linkerd.io/v1beta3/HTTPRoute',
      'policy.linkerd.io/v1alpha1/HTTPLocalRateLimitPolicy', 'policy.linkerd.io/v1alpha1/EgressNetwork',
      'linkerd.io/v1alpha2/ServiceProfile', 'multicluster.linkerd.io/v1alpha3/Link',
      ...['ServiceDefaults', 'ServiceResolver', 'ServiceRouter', 'ServiceSplitter', 'ServiceIntentions', 'ExportedServices',
        'ProxyDefaults', 'Mesh', 'SamenessGroup', 'JWTProvider', 'IngressGateway', 'TerminatingGateway'].map(c => `consul.hashicorp.com/v1alpha1/${c}`),
      'split.smi-spec.io/v1alpha2/TrafficSplit', 'monitoring.coreos.com/v1/PrometheusRule',
    ]) {
      expect(kinds).toContain(k);
    }
  });
});

describe('invalid manifests fail on the right field for the right reason', () => {
  test('the corpus is large enough', () => {
    expect(BAD.length).toBeGreaterThanOrEqual(40);
  });

  test.each(BAD.map(c => [c.name, c] as const))('%s', (_name, c) => {
    const doc = c.doc();
    const result = ManifestValidator.validateObjects([doc]);
    const errors = result.findings.filter(f => f.severity === Severity.ERROR);
    expect(result.valid).toBe(false);
    expect(errors.map(f => `${f.code} ${f.path}`)).toContain(`${c.code} ${c.path}`);
    const finding = errors.find(f => f.code === c.code && f.path === c.path)!;
    if (c.message) expect(finding.message).toMatch(c.message);
    expect(finding.resource).toBe(`${doc.kind} ${doc.metadata.namespace ? doc.metadata.namespace + '/' : ''}${doc.metadata.name}`);
  });
});

describe('YAML input', () => {
  test('reports the line of the field in the file', () => {
    const text = fs.readFileSync(path.join(FIXTURES, 'istio.yaml'), 'utf8').replace('timeout: 3s', 'timeout: 0s');
    const result = ManifestValidator.validateYaml(text, { fileName: 'istio.yaml' });
    expect(result.findings).toHaveLength(1);
    const f = result.findings[0];
    expect(f).toMatchObject({ code: 'CEL001', file: 'istio.yaml', documentIndex: 0, path: 'spec.http[1].timeout', resource: 'VirtualService shop/payment' });
    expect(text.split('\n')[f.line! - 1]).toContain('timeout: 0s');
  });

  test('bad YAML is one finding with file and line, not an exception', () => {
    const result = ManifestValidator.validateYaml('apiVersion: v1\nkind: [unclosed\n', { fileName: 'broken.yaml' });
    expect(result.findings).toEqual([expect.objectContaining({ code: ValidationCodes.YAML_PARSE, file: 'broken.yaml', line: 3 })]);
    expect(result.valid).toBe(false);
  });

  test('a key written twice keeps its last value, as kubectl reads it (go-yaml v2 is not strict), not a parse error', () => {
    const result = ManifestValidator.validateYaml('apiVersion: v1\nkind: A\nkind: B\nmetadata: {name: b}\n');
    expect(result.findings.map(f => `${f.code} ${f.message}`)).toEqual([`${ValidationCodes.KIND_NOT_CHECKED} not checked: no pinned schema for v1 B`]);
  });

  test('a kind without a pinned schema is reported as not checked, never as passed', () => {
    const result = ManifestValidator.validateYaml('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n');
    expect(result.findings).toEqual([expect.objectContaining({ code: ValidationCodes.KIND_NOT_CHECKED, severity: Severity.INFO })]);
    expect(result.checked).toBe(0);
    expect(result.valid).toBe(true);
    const strict = ManifestValidator.validateYaml('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n', { strict: true });
    expect(strict.valid).toBe(false);
  });

  test('an apiVersion we do not pin names the version we do', () => {
    const result = ManifestValidator.validateYaml('apiVersion: networking.istio.io/v1alpha3\nkind: VirtualService\nmetadata: {name: v}\n');
    expect(result.findings[0].message).toMatch(/pinned CRDs serve VirtualService as networking.istio.io\/v1/);
  });

  test('a document that is not an object', () => {
    const result = ManifestValidator.validateYaml('- a\n- b\n');
    expect(result.findings[0]).toMatchObject({ code: ValidationCodes.NOT_AN_OBJECT, severity: Severity.ERROR });
  });

  test('defaults are applied before CEL rules, as the API server does', () => {
    // path.type defaults to PathPrefix; the rule for PathPrefix values then applies
    const route = set(ROUTE(), 'spec.rules[1].matches[0].path', { value: 'no-slash' });
    const result = ManifestValidator.validateObjects([route]);
    expect(result.findings.map(f => f.code)).toContain(ValidationCodes.CEL_FAILED);
  });

  test('the input object is not modified', () => {
    const route = ROUTE();
    const before = JSON.stringify(route);
    ManifestValidator.validateObjects([route]);
    expect(JSON.stringify(route)).toBe(before);
  });
});

describe('CEL outcomes remembered per the fields a rule reads', () => {
  // the rules on an HTTPRoute path match read self.type and self.value only: remembered under those two
  // fields, never under a part of the value they do not read
  const withPath = (value: string, type = 'PathPrefix', extra: object = {}) =>
    set(ROUTE(), 'spec.rules[0].matches', [{ path: { type, value, ...extra } }]);
  const celFailed = (doc: any) => ManifestValidator.validateObjects([doc]).findings.filter(f => f.code === ValidationCodes.CEL_FAILED);

  test('one rule, values that differ only in the fields it reads: each gets its own outcome, in any order', () => {
    for (let round = 0; round < 2; round++) {
      expect(celFailed(withPath('/ok'))).toEqual([]);
      expect(celFailed(withPath('/a//b')).map(f => f.path)).toEqual(['spec.rules[0].matches[0].path']);
      // the same value under a type the rule does not check
      expect(celFailed(withPath('/a//b', 'RegularExpression'))).toEqual([]);
    }
  });

  test('a manifest with a __proto__ key is copied as JSON would: the key is a field, reported where it is', () => {
    const doc = set(ROUTE(), 'spec', { ...ROUTE().spec, ...JSON.parse('{"__proto__": {"polluted": true}}') });
    const result = ManifestValidator.validateObjects([doc]);
    expect(({} as any).polluted).toBeUndefined();
    expect(result.findings.map(f => `${f.code} ${f.path}`)).toEqual([`${ValidationCodes.UNKNOWN_FIELD} spec.__proto__`]);
  });
});

describe('label and annotation keys', () => {
  const service = (labels: Record<string, string>, annotations: Record<string, string> = {}) => ({
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'payment', namespace: 'shop', labels, annotations }, spec: {},
  });
  const keyErrors = (objects: any[]) => ManifestValidator.validateObjects(objects).findings
    .filter(f => f.code === ValidationCodes.METADATA && /not a valid (label|annotation) key/.test(f.message)).map(f => f.path);

  test('a key next to one found valid (and remembered: issue 26) is judged on its own, each time it is met', () => {
    const valid = { 'example.com/team': 'a', [`x${'y'.repeat(62)}`]: 'b', 'app': 'c' };
    const invalid = { 'example.com/team/x': 'a', [`x${'y'.repeat(63)}`]: 'b', 'example_com/team': 'c', '-app': 'd' };
    // the valid keys first, then the invalid ones, twice, as labels and as annotations
    const objects = [service(valid, valid), service(invalid), service(invalid), service({}, invalid)];
    const found = keyErrors(objects);
    expect(found).toHaveLength(12);
    for (const k of Object.keys(invalid)) expect(found.filter(p => p.includes(k))).toHaveLength(3);
    expect(keyErrors([service(valid, valid), service(valid)])).toEqual([]);
  });

  test('annotation keys are checked lower-cased, as the API server checks them; label keys as written', () => {
    // apimachinery ValidateAnnotations: IsQualifiedName(strings.ToLower(k)); a prefix is a DNS subdomain (lower case)
    const keys = {
      'example.com/team': 'a', // valid as written, remembered first
      'Example.com/team': 'b', // a label key with an upper-case prefix: refused; an annotation key: example.com/team
      '\u0130stio.io/owner': 'c', // İ: Go's strings.ToLower makes it i (istio.io/owner), JavaScript's toLowerCase i + U+0307
      '\u212Aube.io/owner': 'd', // the Kelvin sign: k in both (kube.io/owner)
      'Example.com/Team_X': 'e', // the name part may hold upper case either way
    };
    expect(keyErrors([service(keys, keys)])).toEqual([
      'metadata.labels["Example.com/team"]', 'metadata.labels["\u0130stio.io/owner"]', 'metadata.labels["\u212Aube.io/owner"]',
      'metadata.labels["Example.com/Team_X"]',
    ]);
    // still refused as annotations once lower-cased: not a subdomain, or a name too long
    const bad = { 'Exa_mple.com/team': 'a', [`Example.com/${'Y'.repeat(64)}`]: 'b' };
    expect(keyErrors([service({}, bad)])).toEqual(Object.keys(bad).map(k => `metadata.annotations["${k}"]`));
  });

  test('past the bound of the remembered keys, valid keys stay valid and invalid ones invalid', () => {
    // invalid keys before and after 5,000 distinct valid keys (more than the 4,096 remembered), then the first valid
    // keys again
    const many = Array.from({ length: 5000 }, (_, i) => `k${i}.example.com/name-${i}`);
    const invalid = { [`${many[1]}/x`]: 'v', [`${many[2]}${'z'.repeat(60)}`]: 'v' };
    const objects = [service(invalid), ...many.map(k => service({ [k]: 'v' })), service(invalid)];
    objects.push(service({ [many[0]]: 'v', [many[4095]]: 'v', [many[4999]]: 'v' }));
    const twice = Object.keys(invalid).map(k => `metadata.labels["${k}"]`);
    expect(keyErrors(objects)).toEqual([...twice, ...twice]);
  });
});

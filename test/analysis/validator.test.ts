import * as fs from 'fs';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { ManifestValidator, Severity, ValidationCodes } from '../../src';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'valid');

function fixtures(file: string): any[] {
  return jsyaml.loadAll(fs.readFileSync(path.join(FIXTURES, file), 'utf8')) as any[];
}

const ALL = ['istio.yaml', 'gateway-api.yaml', 'linkerd.yaml', 'consul.yaml'].flatMap(fixtures);

/** A deep copy of the fixture of this apiVersion group, kind and name. */
function base(kind: string, name: string, group?: string): any {
  const doc = ALL.find(d => d.kind === kind && d.metadata.name === name && (!group || d.apiVersion.startsWith(group + '/')));
  if (!doc) throw new Error(`no fixture ${kind} ${name}`);
  return JSON.parse(JSON.stringify(doc));
}

/** Sets (or with undefined, deletes) the value at a dotted path with [n] indexes. */
function set(doc: any, p: string, value: unknown): any {
  const parts = p.replace(/\[(\d+)\]/g, '.$1').split('.');
  let node = doc;
  for (const part of parts.slice(0, -1)) {
    if (node[part] === undefined) node[part] = /^\d+$/.test(part) ? [] : {};
    node = node[part];
  }
  const last = parts[parts.length - 1];
  if (value === undefined) delete node[last]; else node[last] = value;
  return doc;
}

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

interface BadCase {
  readonly name: string;
  readonly doc: () => any;
  readonly code: string;
  readonly path: string;
  readonly message?: RegExp;
}

const VS = () => base('VirtualService', 'payment');
const DR = () => base('DestinationRule', 'payment');
const PA = () => base('PeerAuthentication', 'legacy-metrics');
const AP = () => base('AuthorizationPolicy', 'payment-allow-order', 'security.istio.io');
const RA = () => base('RequestAuthentication', 'jwt');
const GW = () => base('Gateway', 'shop-gateway', 'networking.istio.io');
const SE = () => base('ServiceEntry', 'stripe');
const SC = () => base('Sidecar', 'default');
const TEL = () => base('Telemetry', 'tracing');
const ROUTE = () => base('HTTPRoute', 'payment', 'gateway.networking.k8s.io');
const GGW = () => base('Gateway', 'shop', 'gateway.networking.k8s.io');
const GRPC = () => base('GRPCRoute', 'inventory');
const SRV = () => base('Server', 'payment-http');
const LAP = () => base('AuthorizationPolicy', 'payment-from-order', 'policy.linkerd.io');
const MTLS = () => base('MeshTLSAuthentication', 'order-identity');
const RL = () => base('HTTPLocalRateLimitPolicy', 'payment');
const LROUTE = () => base('HTTPRoute', 'payment-get', 'policy.linkerd.io');
const EGRESS = () => base('EgressNetwork', 'all-egress');
const SPLIT = () => base('TrafficSplit', 'payment');
const SD = () => base('ServiceDefaults', 'payment');
const SR = () => base('ServiceRouter', 'payment');
const SPL = () => base('ServiceSplitter', 'payment');
const SI = () => base('ServiceIntentions', 'payment');
const PROM = () => base('PrometheusRule', 'payment-canary');

const BAD: BadCase[] = [
  // Istio: types, enums, unknown fields, required
  { name: 'VS retries.attempts as a string', doc: () => set(VS(), 'spec.http[1].retries.attempts', 'three'), code: ValidationCodes.TYPE, path: 'spec.http[1].retries.attempts', message: /integer, got string "three"/ },
  { name: 'VS misspelt field timout', doc: () => set(VS(), 'spec.http[1].timout', '3s'), code: ValidationCodes.UNKNOWN_FIELD, path: 'spec.http[1].timout', message: /unknown field "timout"/ },
  { name: 'VS hosts as a string', doc: () => set(VS(), 'spec.hosts', 'payment'), code: ValidationCodes.TYPE, path: 'spec.hosts' },
  { name: 'VS destination without host', doc: () => set(VS(), 'spec.http[1].route[0].destination.host', undefined), code: ValidationCodes.REQUIRED, path: 'spec.http[1].route[0].destination.host' },
  { name: 'VS port number above 4294967295', doc: () => set(VS(), 'spec.http[0].route[0].destination.port.number', 4294967296), code: ValidationCodes.RANGE, path: 'spec.http[0].route[0].destination.port.number' },
  { name: 'VS header match exact and prefix together', doc: () => set(VS(), 'spec.http[0].match[0].headers.x-test-user', { exact: 'true', prefix: 't' }), code: ValidationCodes.ONE_OF, path: 'spec.http[0].match[0].headers.x-test-user', message: /at most one of .*exact.*prefix/ },
  // Istio CEL
  { name: 'VS timeout below 1ms (CEL)', doc: () => set(VS(), 'spec.http[1].timeout', '0.5ms'), code: ValidationCodes.CEL_FAILED, path: 'spec.http[1].timeout', message: /valid duration greater than 1ms \(got "0.5ms"\)/ },
  { name: 'VS perTryTimeout not a duration (CEL error)', doc: () => set(VS(), 'spec.http[1].retries.perTryTimeout', 'one second'), code: ValidationCodes.CEL_ERROR, path: 'spec.http[1].retries.perTryTimeout' },
  { name: 'DR outlier interval 0s (CEL)', doc: () => set(DR(), 'spec.trafficPolicy.outlierDetection.interval', '0s'), code: ValidationCodes.CEL_FAILED, path: 'spec.trafficPolicy.outlierDetection.interval' },
  { name: 'DR simple and consistentHash together', doc: () => set(DR(), 'spec.trafficPolicy.loadBalancer.consistentHash', { httpHeaderName: 'x-user' }), code: ValidationCodes.ONE_OF, path: 'spec.trafficPolicy.loadBalancer' },
  { name: 'DR loadBalancer.simple unknown enum', doc: () => set(DR(), 'spec.trafficPolicy.loadBalancer.simple', 'FASTEST'), code: ValidationCodes.ENUM, path: 'spec.trafficPolicy.loadBalancer.simple', message: /"FASTEST": must be one of .*LEAST_REQUEST/ },
  { name: 'DR connectTimeout below 1ms (CEL)', doc: () => set(DR(), 'spec.trafficPolicy.connectionPool.tcp.connectTimeout', '100us'), code: ValidationCodes.CEL_FAILED, path: 'spec.trafficPolicy.connectionPool.tcp.connectTimeout' },
  { name: 'DR subset without name', doc: () => set(DR(), 'spec.subsets[0].name', undefined), code: ValidationCodes.REQUIRED, path: 'spec.subsets[0].name' },
  { name: 'PA mtls mode unknown enum', doc: () => set(PA(), 'spec.mtls.mode', 'STRICTER'), code: ValidationCodes.ENUM, path: 'spec.mtls.mode' },
  { name: 'PA portLevelMtls without selector (CEL)', doc: () => set(PA(), 'spec.selector', undefined), code: ValidationCodes.CEL_FAILED, path: 'spec', message: /portLevelMtls requires selector/ },
  { name: 'PA port 0 in portLevelMtls (CEL)', doc: () => set(PA(), 'spec.portLevelMtls', { 0: { mode: 'DISABLE' } }), code: ValidationCodes.CEL_FAILED, path: 'spec.portLevelMtls', message: /port must be between 1-65535/ },
  { name: 'AP action unknown enum', doc: () => set(AP(), 'spec.action', 'PERMIT'), code: ValidationCodes.ENUM, path: 'spec.action' },
  { name: 'AP selector and targetRefs together (CEL)', doc: () => set(AP(), 'spec.targetRefs', [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }]), code: ValidationCodes.CEL_FAILED, path: 'spec', message: /only one of targetRefs or selector/ },
  { name: 'AP wildcard in selector label value (CEL)', doc: () => set(AP(), 'spec.selector.matchLabels.app', 'pay*'), code: ValidationCodes.CEL_FAILED, path: 'spec.selector.matchLabels.app', message: /wildcard not allowed/ },
  { name: 'AP serviceAccounts with principals (CEL)', doc: () => set(AP(), 'spec.rules[0].from[0].source.serviceAccounts', ['shop/order']), code: ValidationCodes.CEL_FAILED, path: 'spec.rules[0].from[0].source', message: /Cannot set serviceAccounts with namespaces or principals/ },
  { name: 'RA jwksUri without http scheme (CEL)', doc: () => set(RA(), 'spec.jwtRules[0].jwksUri', 'ftp://auth.example.com/jwks.json'), code: ValidationCodes.CEL_FAILED, path: 'spec.jwtRules[0].jwksUri', message: /scheme http:\/\/ or https:\/\// },
  { name: 'RA jwks and jwksUri together (CEL)', doc: () => set(RA(), 'spec.jwtRules[0].jwks', '{"keys":[]}'), code: ValidationCodes.CEL_FAILED, path: 'spec.jwtRules[0]', message: /only one of jwks or jwksUri/ },
  { name: 'Gateway tls credentialName with credentialNames (CEL)', doc: () => set(GW(), 'spec.servers[0].tls.credentialNames', ['a', 'b']), code: ValidationCodes.CEL_FAILED, path: 'spec.servers[0].tls', message: /only one of credentialName or credentialNames/ },
  { name: 'Gateway server without port', doc: () => set(GW(), 'spec.servers[0].port', undefined), code: ValidationCodes.REQUIRED, path: 'spec.servers[0].port' },
  { name: 'SE wildcard host "*" (CEL)', doc: () => set(SE(), 'spec.hosts', ['*']), code: ValidationCodes.CEL_FAILED, path: 'spec.hosts[0]', message: /cannot be wildcard/ },
  { name: 'SE duplicate port numbers (CEL)', doc: () => set(SE(), 'spec.ports', [{ number: 443, name: 'a', protocol: 'TLS' }, { number: 443, name: 'b', protocol: 'HTTPS' }]), code: ValidationCodes.CEL_FAILED, path: 'spec.ports', message: /port number cannot be duplicated/ },
  { name: 'SE CIDR address with DNS resolution (CEL)', doc: () => set(SE(), 'spec.addresses', ['10.0.0.0/16']), code: ValidationCodes.CEL_FAILED, path: 'spec', message: /CIDR addresses are allowed only for NONE\/STATIC/ },
  { name: 'SE resolution unknown enum', doc: () => set(SE(), 'spec.resolution', 'DNS_LOOKUP'), code: ValidationCodes.ENUM, path: 'spec.resolution' },
  { name: 'SE port 0 (CEL)', doc: () => set(SE(), 'spec.ports[0].number', 0), code: ValidationCodes.CEL_FAILED, path: 'spec.ports[0].number', message: /between 1-65535 \(got 0\)/ },
  { name: 'Sidecar outbound mode unknown enum', doc: () => set(SC(), 'spec.outboundTrafficPolicy.mode', 'DENY_ALL'), code: ValidationCodes.ENUM, path: 'spec.outboundTrafficPolicy.mode' },
  { name: 'Telemetry sampling above 100', doc: () => set(TEL(), 'spec.tracing[0].randomSamplingPercentage', 150), code: ValidationCodes.RANGE, path: 'spec.tracing[0].randomSamplingPercentage', message: /must be <= 100/ },
  // Gateway API
  { name: 'HTTPRoute backendRequest longer than request (CEL)', doc: () => set(ROUTE(), 'spec.rules[1].timeouts.backendRequest', '5s'), code: ValidationCodes.CEL_FAILED, path: 'spec.rules[1].timeouts', message: /backendRequest timeout cannot be longer than request timeout/ },
  { name: 'HTTPRoute weight above 1000000', doc: () => set(ROUTE(), 'spec.rules[1].backendRefs[0].weight', 1000001), code: ValidationCodes.RANGE, path: 'spec.rules[1].backendRefs[0].weight' },
  { name: 'HTTPRoute negative weight', doc: () => set(ROUTE(), 'spec.rules[1].backendRefs[0].weight', -1), code: ValidationCodes.RANGE, path: 'spec.rules[1].backendRefs[0].weight', message: /must be >= 0/ },
  { name: 'HTTPRoute path type unknown enum', doc: () => set(ROUTE(), 'spec.rules[1].matches[0].path.type', 'Prefix'), code: ValidationCodes.ENUM, path: 'spec.rules[1].matches[0].path.type' },
  { name: 'HTTPRoute invalid path characters (CEL)', doc: () => set(ROUTE(), 'spec.rules[1].matches[0].path.value', '/a b'), code: ValidationCodes.CEL_FAILED, path: 'spec.rules[1].matches[0].path', message: /must only contain valid characters/ },
  { name: 'HTTPRoute path not starting with / (CEL)', doc: () => set(ROUTE(), 'spec.rules[1].matches[0].path.value', 'api'), code: ValidationCodes.CEL_FAILED, path: 'spec.rules[1].matches[0].path', message: /must be an absolute path/ },
  { name: 'HTTPRoute timeout not a Gateway API duration', doc: () => set(ROUTE(), 'spec.rules[1].timeouts.request', '1.5s'), code: ValidationCodes.PATTERN, path: 'spec.rules[1].timeouts.request' },
  { name: 'HTTPRoute parentRef port 0', doc: () => set(ROUTE(), 'spec.parentRefs[0].port', 0), code: ValidationCodes.RANGE, path: 'spec.parentRefs[0].port' },
  { name: 'HTTPRoute unknown filter type', doc: () => set(ROUTE(), 'spec.rules[0].filters', [{ type: 'Mirror' }]), code: ValidationCodes.ENUM, path: 'spec.rules[0].filters[0].type' },
  { name: 'Gateway listener hostname with uppercase', doc: () => set(GGW(), 'spec.listeners[0].hostname', 'Shop.Example.com'), code: ValidationCodes.PATTERN, path: 'spec.listeners[0].hostname' },
  { name: 'Gateway without gatewayClassName', doc: () => set(GGW(), 'spec.gatewayClassName', undefined), code: ValidationCodes.REQUIRED, path: 'spec.gatewayClassName' },
  { name: 'Gateway duplicate listener names', doc: () => set(GGW(), 'spec.listeners[1]', { ...GGW().spec.listeners[0], hostname: 'other.example.com' }), code: ValidationCodes.DUPLICATE, path: 'spec.listeners[1]', message: /duplicate entry with key name="https"/ },
  { name: 'GRPCRoute invalid method characters (CEL)', doc: () => set(GRPC(), 'spec.rules[0].matches[0].method.method', 'Get-Item'), code: ValidationCodes.CEL_FAILED, path: 'spec.rules[0].matches[0].method', message: /method must only contain valid characters/ },
  // Linkerd
  { name: 'Server without port', doc: () => set(SRV(), 'spec.port', undefined), code: ValidationCodes.REQUIRED, path: 'spec.port' },
  { name: 'Server port as a boolean', doc: () => set(SRV(), 'spec.port', true), code: ValidationCodes.TYPE, path: 'spec.port', message: /integer or a string/ },
  { name: 'Server without any selector', doc: () => set(SRV(), 'spec.podSelector', undefined), code: ValidationCodes.ONE_OF, path: 'spec', message: /podSelector.*externalWorkloadSelector/ },
  { name: 'Linkerd AuthorizationPolicy without requiredAuthenticationRefs', doc: () => set(LAP(), 'spec.requiredAuthenticationRefs', undefined), code: ValidationCodes.REQUIRED, path: 'spec.requiredAuthenticationRefs' },
  { name: 'Linkerd AuthorizationPolicy targetRef kind with a dot', doc: () => set(LAP(), 'spec.targetRef.kind', 'policy.Server'), code: ValidationCodes.PATTERN, path: 'spec.targetRef.kind' },
  { name: 'MeshTLSAuthentication with identities and identityRefs', doc: () => set(MTLS(), 'spec.identities', ['*']), code: ValidationCodes.ONE_OF, path: 'spec', message: /at most one of identities, identityRefs may be set, got identities and identityRefs/ },
  { name: 'MeshTLSAuthentication with empty identities', doc: () => set(set(MTLS(), 'spec.identityRefs', undefined), 'spec.identities', []), code: ValidationCodes.LENGTH, path: 'spec.identities' },
  { name: 'rate limit requestsPerSecond as a string', doc: () => set(RL(), 'spec.total.requestsPerSecond', '100'), code: ValidationCodes.TYPE, path: 'spec.total.requestsPerSecond' },
  { name: 'rate limit override without clientRefs', doc: () => set(RL(), 'spec.overrides[0].clientRefs', undefined), code: ValidationCodes.REQUIRED, path: 'spec.overrides[0].clientRefs' },
  { name: 'Linkerd HTTPRoute method not an HTTP method', doc: () => set(LROUTE(), 'spec.rules[0].matches[0].method', 'FETCH'), code: ValidationCodes.ENUM, path: 'spec.rules[0].matches[0].method' },
  { name: 'EgressNetwork trafficPolicy unknown enum', doc: () => set(EGRESS(), 'spec.trafficPolicy', 'Block'), code: ValidationCodes.ENUM, path: 'spec.trafficPolicy' },
  { name: 'SMI TrafficSplit weight as a milli-quantity string', doc: () => set(SPLIT(), 'spec.backends[0].weight', '900m'), code: ValidationCodes.TYPE, path: 'spec.backends[0].weight' },
  { name: 'SMI TrafficSplit without service', doc: () => set(SPLIT(), 'spec.service', undefined), code: ValidationCodes.REQUIRED, path: 'spec.service' },
  // Consul
  { name: 'ServiceDefaults maxFailures as a string', doc: () => set(SD(), 'spec.upstreamConfig.defaults.passiveHealthCheck.maxFailures', 'five'), code: ValidationCodes.TYPE, path: 'spec.upstreamConfig.defaults.passiveHealthCheck.maxFailures' },
  { name: 'ServiceDefaults unknown field', doc: () => set(SD(), 'spec.protocolVersion', 'http2'), code: ValidationCodes.UNKNOWN_FIELD, path: 'spec.protocolVersion' },
  { name: 'ServiceRouter numRetries as a string', doc: () => set(SR(), 'spec.routes[1].destination.numRetries', '3'), code: ValidationCodes.TYPE, path: 'spec.routes[1].destination.numRetries' },
  { name: 'ServiceSplitter weight as a string', doc: () => set(SPL(), 'spec.splits[0].weight', '90%'), code: ValidationCodes.TYPE, path: 'spec.splits[0].weight' },
  { name: 'ServiceIntentions sources as a map', doc: () => set(SI(), 'spec.sources', { name: 'order' }), code: ValidationCodes.TYPE, path: 'spec.sources' },
  // prometheus-operator
  { name: 'PrometheusRule rule without expr', doc: () => set(PROM(), 'spec.groups[0].rules[0].expr', undefined), code: ValidationCodes.REQUIRED, path: 'spec.groups[0].rules[0].expr' },
  // metadata
  { name: 'metadata.name with upper case', doc: () => set(VS(), 'metadata.name', 'Payment'), code: ValidationCodes.METADATA, path: 'metadata.name', message: /"Payment" is not a valid name/ },
  { name: 'label value that is a number', doc: () => set(VS(), 'metadata.labels', { version: 2 }), code: ValidationCodes.METADATA, path: 'metadata.labels.version', message: /must be strings/ },
  { name: 'namespace with a dot', doc: () => set(SD(), 'metadata.namespace', 'shop.prod'), code: ValidationCodes.METADATA, path: 'metadata.namespace' },
];

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

  test('duplicate keys are a parse error', () => {
    const result = ManifestValidator.validateYaml('apiVersion: v1\nkind: A\nkind: B\n');
    expect(result.findings[0]).toMatchObject({ code: ValidationCodes.YAML_PARSE, line: 3 });
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

import { MeshAnalyzer, ReachabilityMatrix } from '../../src';

/**
 * A Service port whose targetPort is a container port name, in hand-written YAML: the proxy on the pods sees the
 * pod port, the container port of that name (kubernetes FindPort, as the EndpointSlice controller resolves it), so
 * an Istio rule for the Service port does not allow the caller.
 */

const NS = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}, annotations: {linkerd.io/inject: enabled}}`;

const SERVICE = `apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{name: http, port: 80, targetPort: http}]`;

const deployment = (name: string, port: number, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {app: api${extra ? `, ${extra}` : ''}}}
  template:
    metadata: {labels: {app: api${extra ? `, ${extra}` : ''}}}
    spec:
      containers:
      - name: api
        image: x
        ports: [{name: metrics, containerPort: 9090}, {name: http, containerPort: ${port}}]`;

const allow = (port: string) => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api-allow, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  action: ALLOW
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/web]}}]
    to: [{operation: {ports: ["${port}"]}}]`;

const decide = (...docs: string[]) => {
  const m = ReachabilityMatrix.fromYaml(docs.join('\n---\n'), { defaultNamespace: 'shop' });
  const d = m.check({ caller: 'shop/web', service: 'shop/api', port: 80 });
  return `${d.allowed} ${d.reason}`;
};

describe('Istio: a named targetPort is the pods\' container port of that name', () => {
  test('a rule for the Service port (80) does not allow the caller; one for the container port (8080) does', () => {
    expect(decide(NS, SERVICE, deployment('api', 8080), allow('80'))).toBe('false no rule of the ALLOW policies matches (AuthorizationPolicy shop/api-allow)');
    expect(decide(NS, SERVICE, deployment('api', 8080), allow('8080'))).toBe('true AuthorizationPolicy shop/api-allow rules[0]');
  });

  test('a native sidecar\'s port (init container with restartPolicy Always) counts, after the containers\' TCP ports; a UDP port of that name does not', () => {
    const pod = (init: string) => `apiVersion: v1
kind: Pod
metadata: {name: api-0, namespace: shop, labels: {app: api}}
spec:
  containers: [{name: api, image: x, ports: [{name: http, containerPort: 53, protocol: UDP}]}]
  initContainers: [{name: proxy, image: p, ${init}ports: [{name: http, containerPort: 9443}]}]`;
    expect(decide(NS, SERVICE, pod('restartPolicy: Always, '), allow('9443'))).toMatch(/^true /);
    expect(decide(NS, SERVICE, pod('restartPolicy: Always, '), allow('53'))).toMatch(/^false /);
  });

  test('a bare Pod and a StatefulSet resolve it too', () => {
    const pod = `apiVersion: v1
kind: Pod
metadata: {name: api-0, namespace: shop, labels: {app: api}}
spec: {containers: [{name: api, image: x, ports: [{name: http, containerPort: 7070}]}]}`;
    expect(decide(NS, SERVICE, pod, allow('7070'))).toMatch(/^true /);
    expect(decide(NS, SERVICE, pod, allow('80'))).toMatch(/^false /);
    const sts = deployment('api', 6060).replace('kind: Deployment', 'kind: StatefulSet');
    expect(decide(NS, SERVICE, sts, allow('6060'))).toMatch(/^true /);
  });

  test('pods that give the name different numbers each get their own: allowed only if each allows its port', () => {
    const two = [NS, SERVICE, deployment('api', 8080), deployment('api-v2', 8081, 'version: v2')];
    expect(decide(...two, allow('8080'))).toBe('false the pods of Deployment api-v2 (targetPort 8081): no rule of the ALLOW policies matches (AuthorizationPolicy shop/api-allow)');
    const both = allow('8080').replace('ports: ["8080"]', 'ports: ["8080", "8081"]');
    expect(decide(...two, both)).toBe('true the pods of Deployment api (targetPort 8080): AuthorizationPolicy shop/api-allow rules[0]; '
      + 'the pods of Deployment api-v2 (targetPort 8081): AuthorizationPolicy shop/api-allow rules[0]');
  });

  test('no pod among the manifests: the port is unknown, any port (as before)', () => {
    expect(decide(NS, SERVICE, allow('80'))).toMatch(/^true /);
  });

  test('a numeric targetPort is unchanged', () => {
    const numeric = SERVICE.replace('targetPort: http', 'targetPort: 8080');
    expect(decide(NS, numeric, deployment('api', 9999), allow('8080'))).toMatch(/^true /);
    expect(decide(NS, numeric, deployment('api', 9999), allow('80'))).toMatch(/^false /);
  });
});

describe('Linkerd: the Server of the pod port decides, by number or by name', () => {
  const server = (port: string | number) => `apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  port: ${port}
  proxyProtocol: HTTP/1
  accessPolicy: deny`;
  const decideLinkerd = (...docs: string[]) => {
    const m = ReachabilityMatrix.fromYaml(docs.join('\n---\n'), { defaultNamespace: 'shop' });
    const d = m.check({ caller: 'shop/web', service: 'shop/api', port: 80 });
    return `${d.allowed} ${d.reason}`;
  };

  test.each([['a named targetPort, a Server by number', SERVICE, 8080], ['a named targetPort, a Server by name', SERVICE, 'http'],
    ['a numeric targetPort, a Server by name', SERVICE.replace('targetPort: http', 'targetPort: 8080'), 'http']] as const)('%s: the Server (deny) decides', (_t, svc, port) => {
    expect(decideLinkerd(NS, svc, deployment('api', 8080), server(String(port)))).toMatch(/^false .*Server shop\/api/);
  });

  test('a Server of another pod port does not decide (the namespace default does)', () => {
    expect(decideLinkerd(NS, SERVICE, deployment('api', 8080), server('9090'))).not.toMatch(/Server shop\/api/);
  });
});

describe('analyzer I164: an ALLOW rule on the pods names a Service port that forwards elsewhere', () => {
  const codes = (...docs: string[]) => MeshAnalyzer.analyzeYaml(docs.join('\n---\n'), { fileName: 'x.yaml' }).findings.filter(f => f.code === 'I164').map(f => `${f.path}: ${f.message}`);

  test('the Service port of a named targetPort: reported, naming the container port; the pod port: nothing', () => {
    expect(codes(NS, SERVICE, deployment('api', 8080), allow('80'))).toEqual([
      'spec.rules[0].to[0].operation.ports[0]: Service api port 80 forwards to targetPort http (containerPort 8080 of Deployment api), and no pod the policy selects listens on 80: '
      + 'the sidecar (or ztunnel) matches the pod port, so the callers of this rule are refused; write the pod port (the containerPort the targetPort names)',
    ]);
    expect(codes(NS, SERVICE, deployment('api', 8080), allow('8080'))).toEqual([]);
  });

  test('a numeric targetPort that differs from the port: reported; a pod that listens on the port itself: nothing', () => {
    const numeric = SERVICE.replace('targetPort: http', 'targetPort: 8080');
    expect(codes(NS, numeric, deployment('api', 8080), allow('80'))).toEqual([expect.stringMatching(/^spec\.rules\[0\]\.to\[0\]\.operation\.ports\[0\]: Service api port 80 forwards to targetPort 8080, and no pod/)]);
    expect(codes(NS, numeric, deployment('api', 80), allow('80'))).toEqual([]);
  });

  test('nothing without the pods among the manifests, nor for a waypoint policy (targetRefs: it sees the Service port)', () => {
    expect(codes(NS, SERVICE, allow('80'))).toEqual([]);
    const waypoint = allow('80').replace('  selector: {matchLabels: {app: api}}', '  targetRefs: [{group: "", kind: Service, name: api}]');
    expect(codes(NS, SERVICE, deployment('api', 8080), waypoint)).toEqual([]);
  });
});

describe('Flagger: the apex Service it generates forwards to the Canary\'s targetPort, a name too', () => {
  const canary = (targetPort: string) => `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: api, namespace: shop}
spec:
  provider: istio
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  service: {port: 80, targetPort: ${targetPort}}
  analysis: {interval: 1m, threshold: 2, stepWeights: [10, 50, 100]}`;

  // (the apex Service selects the primary pods, which Flagger labels app: api-primary)
  const primary = (port: string) => allow(port).replace('{matchLabels: {app: api}}', '{matchLabels: {app: api-primary}}');

  test('a named targetPort is the container port of that name; a numeric one is that number', () => {
    expect(decide(NS, canary('http'), deployment('api', 8080), primary('80'))).toMatch(/^false /);
    expect(decide(NS, canary('http'), deployment('api', 8080), primary('8080'))).toMatch(/^true /);
    expect(decide(NS, canary('9090'), deployment('api', 8080), primary('9090'))).toMatch(/^true /);
    expect(decide(NS, canary('9090'), deployment('api', 8080), primary('8080'))).toMatch(/^false /);
  });
});

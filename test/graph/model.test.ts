import * as yaml from 'js-yaml';
import { shop } from './shop';
import { SHOP_MESHES } from '../../examples/shop/main';
import { ReachabilityMatrix } from '../../src';
import { MeshGraph } from '../../src/graph/model';
import { ALL } from '../analysis/bad-manifests';
import { captureStderr } from '../util';

captureStderr();

const calls = (g: MeshGraph) => g.allowedEdges().filter(e => !e.service.startsWith('shop/payment-v'))
  .map(e => `${e.callerService ?? e.caller} -> ${e.service}: ${e.allowed.join(', ')}`);

// the gateway's identity per mesh: Istio's api-gateway account (and the sidecar ingress gateway's, or the ambient
// Gateway's own account), Envoy Gateway's proxies on Linkerd, the API gateway's service on Consul
const EDGE: { [mesh: string]: string[] } = {
  'istio': ['istio-system/istio-ingressgateway-service-account', 'shop/api-gateway'],
  'istio-ambient': ['shop/api-gateway', 'shop/shop-istio'],
  'linkerd': ['envoy-gateway-system/envoy-shop-shop-0b6553f4'],
  'consul': ['shop/shop'],
};

describe.each(SHOP_MESHES.map(([folder]) => folder))('the shop graph on %s', folder => {
  const objects = shop(folder);
  const graph = MeshGraph.fromManifests(objects);

  test('who may call whom: the zero-trust rules, and nothing else (no unnamed caller, nothing from outside)', () => {
    const gateways = EDGE[folder];
    const paymentGateway = folder === 'istio' || folder === 'istio-ambient' ? ['shop/api-gateway'] : gateways;
    expect(calls(graph).sort()).toEqual([
      ...gateways.map(g => `${g} -> shop/order: GET /`),
      'shop/web -> shop/order: GET /',
      ...paymentGateway.map(g => `${g} -> shop/payment: POST /process-payment`),
      'shop/order -> shop/payment: POST /process-payment',
      'shop/order -> shop/user: GET /',
      'shop/web -> shop/user: GET /',
      ...gateways.map(g => `${g} -> shop/web: GET /`),
    ].sort());
    // the denied-by-default calls are there on demand: any other workload, outside callers, web to payment
    const denied = graph.deniedEdges().map(e => `${e.caller} -> ${e.service}`);
    expect(denied).toEqual(expect.arrayContaining(['shop/unnamed -> shop/payment', 'ip:192.0.2.10 -> shop/payment']));
    expect(graph.edges.find(e => e.caller === 'shop/web' && e.service === 'shop/payment')?.allowed ?? []).toEqual([]);
    expect(graph.edges.every(e => e.enforced)).toBe(true);
  });

  test('the allowed calls are exactly those of the full reachability table (the per-service callers miss none)', () => {
    const matrix = ReachabilityMatrix.fromManifests(objects);
    const callers = [...matrix.callers(), 'shop/unnamed', '_other/unnamed', 'ip:192.0.2.10'];
    const key = (d: { caller: string; service: string; method: string; path: string }) => `${d.caller} ${d.service} ${d.method} ${d.path}`;
    const table = matrix.table(callers).filter(d => d.allowed && !d.service.endsWith('egress-api-stripe-com')).map(key).sort();
    expect(graph.decisions.filter(d => d.allowed && !d.service.endsWith('egress-api-stripe-com')).map(key).sort()).toEqual(table);
  });

  test('payment: two versions, 90/10 split, test users to v2, 3 s timeout, circuit breaker', () => {
    const payment = graph.services.find(s => s.id === 'shop/payment')!;
    expect(payment.versions).toEqual(['v1', 'v2']);
    // on Linkerd the Service selects the stable version (the canary's Service, payment-v2, selects v2)
    expect(payment.workloads).toEqual(folder === 'linkerd' ? ['Deployment payment-v1'] : ['Deployment payment-v1', 'Deployment payment-v2']);
    const routes = graph.routes.filter(r => r.service === 'shop/payment');
    const split = routes.find(r => r.backends.length === 2 && !r.headers.length)!;
    expect(split.backends.map(b => `${b.version} ${b.weight}`)).toEqual(['v1 90', 'v2 10']);
    const canary = routes.find(r => r.headers.includes('x-test-user=true'))!;
    expect(canary.backends.map(b => b.version)).toEqual(['v2']);
    expect(routes.filter(r => r.timeout).map(r => r.timeout)).toContain('3s');
    expect(graph.settings.filter(s => s.service === 'shop/payment').map(s => s.name)).toContain('circuitBreaker');
    // ambient and Linkerd route to per-version Services: versions of payment, not services of their own
    for (const v of graph.services.filter(s => s.id.startsWith('shop/payment-'))) expect(v.versionOf).toBe('shop/payment');
  });

  test('order: POST /orders* gets 5 s; ingress /api to order and / to web; egress to api.stripe.com only', () => {
    const create = graph.routes.find(r => r.service === 'shop/order' && /POST \/orders/.test(r.match))!;
    expect(create.timeout).toBe('5s');
    expect(graph.ingress.map(i => `${i.gateway} ${i.hosts.join(',')} ${i.service}`)).toEqual(['shop/shop shop.example.com shop/order', 'shop/shop shop.example.com shop/web']);
    expect(graph.egress.map(e => e.host)).toEqual(['api.stripe.com']);
    if (folder === 'consul') expect(graph.egress[0].callers).toEqual(['shop/payment']);
    // registry-only egress everywhere but ambient (ztunnel cannot refuse unknown hosts)
    expect(graph.egressPolicies.some(p => /shop: REGISTRY_ONLY/.test(p))).toBe(folder !== 'istio-ambient');
  });

  test('the same graph from the objects in another order, and from YAML', () => {
    const again = MeshGraph.fromManifests([...objects].reverse());
    expect(again.toJson()).toEqual(graph.toJson());
    expect(MeshGraph.fromYaml(objects.map(o => yaml.dump(o)).join('---\n')).toJson()).toEqual(graph.toJson());
  });

  test('Mermaid and DOT: a subgraph per namespace, the allowed calls, ingress and egress', () => {
    const mermaid = graph.toMermaid();
    expect(mermaid).toMatch(/^flowchart LR\n/);
    expect(mermaid).toMatch(/subgraph ns\d+\["shop"\]/);
    expect(mermaid).toMatch(/-->\|"POST \/process-payment"\|/);
    expect(mermaid).toMatch(/==>/);
    expect(mermaid).toMatch(/api\.stripe\.com/);
    const dot = graph.toDot();
    expect(dot).toMatch(/^digraph mesh \{/);
    expect(dot).toMatch(/subgraph cluster_\d+ \{\n {4}label="shop"/);
    expect(dot).toMatch(/"shop\/order" -> "shop\/payment" \[label="POST \/process-payment"\]/);
    // the denied calls are not drawn in Mermaid and DOT
    expect(dot).not.toMatch(/unnamed/);
  });

  test('the HTML page is self-contained: no network address, the data inline', () => {
    const html = graph.toHtml();
    expect(html).not.toMatch(/(src|href)=["']?https?:/);
    expect(html).not.toMatch(/<link |<script src/);
    expect(html).toMatch(/Content-Security-Policy" content="default-src 'none'/);
    const data = JSON.parse(/<script type="application\/json" id="graph-data">(.*?)<\/script>/s.exec(html)![1]);
    expect(data.edges.length).toBe(graph.edges.length);
  });
});

describe('hand-written manifests', () => {
  const ISTIO = `
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: bookinfo}
spec: {selector: {app: reviews}, ports: [{port: 9080}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: bookinfo}
spec:
  hosts: [reviews]
  gateways: [mesh, bookinfo-gateway]
  http:
  - name: jason
    match: [{headers: {end-user: {exact: jason}}, uri: {prefix: /reviews}}]
    route: [{destination: {host: reviews, subset: v2}}]
    fault: {delay: {fixedDelay: 7s, percentage: {value: 100}}}
  - route:
    - {destination: {host: reviews.bookinfo.svc.cluster.local, subset: v1}, weight: 80}
    - {destination: {host: reviews, subset: v3}, weight: 20}
    mirror: {host: reviews, subset: v4}
    mirrorPercentage: {value: 5}
    timeout: 2s
    retries: {attempts: 3, perTryTimeout: 500ms, retryOn: 5xx}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: bookinfo}
spec:
  host: reviews
  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
  trafficPolicy: {outlierDetection: {consecutive5xxErrors: 3, interval: 10s, baseEjectionTime: 1m}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: reviews, namespace: bookinfo}
spec:
  selector: {matchLabels: {app: reviews}}
  rules: [{from: [{source: {principals: [cluster.local/ns/bookinfo/sa/productpage]}}], to: [{operation: {methods: [GET]}}]}]
`;

  test('Istio: header route with a fault, weights, mirror, retries, ingress through a Gateway, one caller', () => {
    const g = MeshGraph.fromYaml(ISTIO);
    expect(g.mesh).toBe('istio');
    expect(g.services.map(s => `${s.id} ${s.versions.join(',')}`)).toEqual(['bookinfo/reviews v1,v2,v3']);
    expect(g.routes).toEqual([
      {
        service: 'bookinfo/reviews',
        name: 'jason',
        match: '/reviews*',
        headers: ['end-user=jason'],
        backends: [{ service: 'bookinfo/reviews', version: 'v2' }],
        fault: 'delay 7s for 100%',
        source: 'VirtualService bookinfo/reviews http[0]',
      },
      {
        service: 'bookinfo/reviews',
        name: '#1',
        match: 'any',
        headers: [],
        backends: [{ service: 'bookinfo/reviews', version: 'v1', weight: 80 }, { service: 'bookinfo/reviews', version: 'v3', weight: 20 }],
        mirror: 'bookinfo/reviews v4 (5%)',
        timeout: '2s',
        retries: '3 attempts, 500ms per try, on 5xx',
        source: 'VirtualService bookinfo/reviews http[1]',
      },
    ]);
    expect(g.settings).toEqual([{ service: 'bookinfo/reviews', name: 'circuitBreaker', value: '3 consecutive 5xx, every 10s, eject 1m', source: 'DestinationRule bookinfo/reviews trafficPolicy.outlierDetection' }]);
    expect(g.ingress.map(i => `${i.gateway} ${i.match} ${i.service}`)).toEqual(['bookinfo/bookinfo-gateway /reviews* bookinfo/reviews', 'bookinfo/bookinfo-gateway any bookinfo/reviews', 'bookinfo/bookinfo-gateway any bookinfo/reviews']);
    expect(g.allowedEdges().map(e => `${e.caller} ${e.service} ${e.allowed}`)).toEqual(['bookinfo/productpage bookinfo/reviews GET /']);
    // the other callers are denied: any other workload of bookinfo or of another namespace, and a client outside the mesh
    expect(g.deniedEdges().map(e => e.caller)).toEqual(['_other/unnamed', 'bookinfo/unnamed', 'ip:192.0.2.10']);
  });

  test('Consul: a splitter across services, a router with a header match, intentions', () => {
    const g = MeshGraph.fromYaml(`
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceSplitter
metadata: {name: api}
spec: {splits: [{weight: 70, service: api}, {weight: 30, service: api-next}]}
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceRouter
metadata: {name: api}
spec:
  routes:
  - match: {http: {pathPrefix: /admin, header: [{name: x-debug, present: true}]}}
    destination: {service: admin, requestTimeout: 1s, numRetries: 4, retryOnConnectFailure: true}
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: api}
spec:
  destination: {name: api}
  sources: [{name: web, action: allow}, {name: '*', action: deny}]
`);
    expect(g.mesh).toBe('consul');
    expect(g.routes.map(r => `${r.name} ${r.match} [${r.headers}] ${r.backends.map(b => `${b.service}${b.weight !== undefined ? ` ${b.weight}` : ''}`)} ${r.timeout ?? ''} ${r.retries ?? ''}`)).toEqual([
      '#0 /admin* [x-debug present] default/admin 1s 4 attempts, on connect failure',
      'split any [] default/api 70,default/api-next 30  ',
    ]);
    expect(g.allowedEdges().map(e => `${e.caller} ${e.service}`)).toEqual(['default/web default/api']);
  });

  test('Linkerd and Gateway API: an HTTPRoute on a Service with a mirror filter and retry annotations', () => {
    const g = MeshGraph.fromYaml(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: books, namespace: lib, annotations: {retry.linkerd.io/http: 5xx, retry.linkerd.io/limit: "3"}}
spec:
  parentRefs: [{group: "", kind: Service, name: books, port: 80}]
  rules:
  - matches: [{method: GET, path: {type: Exact, value: /books}}]
    backendRefs: [{name: books, port: 80}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: books-shadow, port: 80}, percent: 10}}]
    timeouts: {request: 4s}
`);
    expect(g.routes).toEqual([{
      service: 'lib/books',
      name: 'books',
      match: 'GET /books',
      headers: [],
      backends: [{ service: 'lib/books' }],
      mirror: 'lib/books-shadow (10%)',
      timeout: '4s',
      retries: '3 attempts, on 5xx',
      source: 'HTTPRoute lib/books rules[0]',
    }]);
  });

  test('malformed objects (any field of any fixture replaced by a string, a number, null or a list) give a graph, never a TypeError', () => {
    const fixtures = [...ALL, ...shop('istio'), ...shop('linkerd'), ...shop('consul'), ...shop('istio-ambient')];
    const bad: unknown[] = ['x', 7, null, [], [null], {}];
    const paths = (o: any, prefix: string[] = [], depth = 0): string[][] => (o && typeof o === 'object' && depth < 4
      ? Object.keys(o).flatMap(k => [[...prefix, k], ...paths(o[k], [...prefix, k], depth + 1)]) : []);
    let runs = 0;
    for (const [i, o] of fixtures.entries()) {
      if (!o.spec && !o.metadata?.annotations) continue;
      for (const p of paths(o.spec, ['spec']).filter((_, j) => j % 7 === i % 7)) {
        for (const value of bad) {
          const copy = JSON.parse(JSON.stringify(o));
          let node = copy;
          for (const k of p.slice(0, -1)) node = node[k];
          node[p[p.length - 1]] = value;
          const others = fixtures.filter(x => x !== o && x.kind !== o.kind).slice(0, 15);
          // what the reachability matrix itself cannot read is its own matter (test/analysis/robustness.test.ts)
          try {
            ReachabilityMatrix.fromManifests([copy, ...others]).table();
          } catch {
            continue;
          }
          try {
            MeshGraph.fromManifests([copy, ...others]).toHtml();
          } catch (e) {
            if (e instanceof TypeError) throw new Error(`${o.kind} ${o.metadata?.name} ${p.join('.')} = ${JSON.stringify(value)}: ${(e as Error).stack}`);
          }
          runs++;
        }
      }
    }
    expect(runs).toBeGreaterThan(300);
  });
});

describe('MeshGraph: calls nothing enforces', () => {
  test('Mermaid and DOT: an allowed call that nothing enforces is marked, not drawn like an egress edge', () => {
    // the shop namespace without sidecar injection: every call is allowed and nothing enforces the policies
    const unmeshed = JSON.parse(JSON.stringify(shop('istio')));
    for (const o of unmeshed) if (o.kind === 'Namespace') delete o.metadata.labels?.['istio-injection'];
    const g = MeshGraph.fromManifests(unmeshed);
    expect(g.edges.some(e => !e.enforced && e.allowed.length)).toBe(true);
    const mermaid = g.toMermaid();
    expect(mermaid).toMatch(/-\.->\|"NOT ENFORCED: [^"]*"\| /);
    expect(mermaid).toMatch(/\n {2}linkStyle [\d,]+ stroke:#d93025/);
    expect(g.toDot()).toMatch(/\[label="NOT ENFORCED: [^"]*", color="#d93025", style=dotted\]/);
    // the enforced graph has no such mark
    expect(MeshGraph.fromManifests(shop('istio')).toMermaid()).not.toMatch(/\|"NOT ENFORCED|linkStyle/);
  });
});

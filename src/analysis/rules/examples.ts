/**
 * For every analyzer rule: a manifest that shows the problem (with the exact findings it must give)
 * and the fixed manifest (which must give none). The tests run them, and docs/findings.md shows them.
 */
export interface RuleExample {
  readonly code: string;
  readonly bad: string;
  /** The exact multiset of codes the bad manifest gives. */
  readonly expect: string[];
  readonly fixed: string;
}

const VS = (http: string, extra = '') => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: payment, namespace: shop}
spec:
  hosts: [payment]${extra}
  http:
${http}`;

const DR = (spec: string, name = 'payment') => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ${name}, namespace: shop}
spec:
  host: payment
${spec}`;

const SUBSETS = `  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}`;

const AP = (spec: string, name = 'payment') => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {app: payment}}
${spec}`;

/** A Deployment released by Flagger: selected by app (Flagger's selector label), with an instance label too. */
const FLAGGER_TARGET = `apiVersion: apps/v1
kind: Deployment
metadata: {name: payment, namespace: shop}
spec:
  selector: {matchLabels: {app: payment}}
  template:
    metadata: {labels: {app: payment, app.kubernetes.io/instance: payment, sidecar.istio.io/inject: "true"}}
    spec: {containers: [{name: payment, image: "example/payment:2"}]}`;

const FLAGGER_CANARY = `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: payment, namespace: shop}
spec:
  provider: istio
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: payment}
  service: {port: 8080}
  analysis: {interval: 1m, threshold: 2, stepWeights: [10, 50, 100]}`;

const GW = (name: string, servers: string, selector = 'istio: ingressgateway') => `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {${selector}}
  servers:
${servers}`;

const SE = (name: string, spec: string) => `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ${name}, namespace: shop}
spec:
${spec}`;

const SERVER = (name: string, extra = '', labels = 'app: payment') => `apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: ${name}, namespace: shop}
spec:
  podSelector: {matchLabels: {${labels}}}
  port: 8080
${extra}`;

const MTLS = `apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: order, namespace: shop}
spec:
  identityRefs: [{kind: ServiceAccount, name: order}]`;

const LAP = (spec: string) => `apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: payment-from-order, namespace: shop}
spec:
${spec}`;

const ROUTE = (annotations: string, rules: string, kind = 'HTTPRoute') => `apiVersion: gateway.networking.k8s.io/v1
kind: ${kind}
metadata:
  name: payment
  namespace: shop
  annotations: {${annotations}}
spec:
  parentRefs: [{group: "", kind: Service, name: payment, port: 8080}]
  rules:
${rules}`;

const SD = (name: string, spec: string, ns = 'shop') => `apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceDefaults
metadata: {name: ${name}, namespace: ${ns}}
spec:
${spec}`;

const C = (kind: string, name: string, spec: string, ns = 'shop') => `apiVersion: consul.hashicorp.com/v1alpha1
kind: ${kind}
metadata: {name: ${name}, namespace: ${ns}}
spec:
${spec}`;

const ROUTE_TO = (dest: string) => `  - route: [{destination: {host: payment, ${dest}}}]`;
const PA = (name: string, spec: string) => `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ${name}, namespace: shop}
spec:
${spec}`;

const NS = (name: string, labels: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels:
    ${labels}`;

const RA = (spec: string) => `apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: payment-jwt, namespace: shop}
spec:
${spec}
  jwtRules: [{issuer: https://auth.example.com}]`;

const WAYPOINT = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: shop, labels: {istio.io/waypoint-for: service}}
spec:
  gatewayClassName: istio-waypoint
  listeners: [{name: mesh, port: 15008, protocol: HBONE}]`;

const HTTPROUTE_TO_SERVICE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: payment, namespace: shop}
spec:
  parentRefs: [{group: "", kind: Service, name: payment, port: 8080}]
  rules: [{timeouts: {request: 3s}, backendRefs: [{name: payment, port: 8080}]}]`;

const AP_TARGET = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: payment-l7, namespace: shop}
spec:
  targetRefs: [{group: "", kind: Service, name: payment}]
  action: ALLOW
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]
    to: [{operation: {methods: [POST]}}]`;

const L_EGRESS = `apiVersion: policy.linkerd.io/v1alpha1
kind: EgressNetwork
metadata: {name: egress, namespace: shop}
spec: {trafficPolicy: Deny}`;

const L_TLSROUTE = (version: string) => `apiVersion: gateway.networking.k8s.io/${version}
kind: TLSRoute
metadata: {name: api-stripe-com, namespace: shop}
spec:
  hostnames: [api.stripe.com]
  parentRefs: [{group: policy.linkerd.io, kind: EgressNetwork, name: egress, namespace: shop, port: 443}]
  rules: [{backendRefs: [{group: policy.linkerd.io, kind: EgressNetwork, name: egress, port: 443}]}]`;

const L_NAMESPACE = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  annotations: {config.linkerd.io/default-inbound-policy: deny, linkerd.io/inject: enabled}`;

const L_POD_POLICY = `apiVersion: apps/v1
kind: Deployment
metadata: {name: payment, namespace: shop}
spec:
  selector: {matchLabels: {app: payment}}
  template:
    metadata: {labels: {app: payment}, annotations: {config.linkerd.io/default-inbound-policy: deny}}
    spec: {containers: [{name: payment, image: payment:1, ports: [{containerPort: 8080}]}]}`;

const L_SERVER_ROUTE = `apiVersion: policy.linkerd.io/v1beta3
kind: HTTPRoute
metadata: {name: payment-api, namespace: shop}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: payment-http}]
  rules: [{matches: [{path: {type: PathPrefix, value: /api}}]}]`;

const L_PROBED = (port: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: payment, namespace: shop}
spec:
  selector: {matchLabels: {app: payment}}
  template:
    metadata: {labels: {app: payment}, annotations: {linkerd.io/inject: enabled}}
    spec:
      containers:
      - name: payment
        image: payment:1
        ports: [{containerPort: 8080}, {containerPort: 9090}]
        readinessProbe: {httpGet: {path: /healthz, port: ${port}}}`;

const L_EG_GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: shop, namespace: shop}
spec:
  gatewayClassName: eg
  listeners: [{name: http, port: 80, protocol: HTTP}]`;

const L_EG_ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: shop}
spec:
  parentRefs: [{name: shop}]
  rules: [{backendRefs: [{name: payment, port: 8080}]}]`;

const L_MTLS_FROM = (ref: string) => `apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: edge, namespace: shop}
spec:
  identityRefs: [${ref}]`;

const doc = (...parts: string[]) => parts.join('\n---\n') + '\n';

/** A VirtualService for payment.example.com bound to a gateway (gateway hosts are FQDNs: Istio rejects short names there). */
const GW_VS = (gateway: string) => VS(ROUTE_TO('port: {number: 8080}'), `\n  gateways: [${gateway}]`).replace('hosts: [payment]', 'hosts: [payment.example.com]');

const EF = (name: string, spec: string) => `apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: ${name}, namespace: shop}
spec:
  workloadSelector: {labels: {app: payment}}
${spec}`;

const TELEMETRY = (name: string, spec: string) => `apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: ${name}, namespace: shop}
spec:
${spec}`;

const SIDECAR = (spec: string) => `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
${spec}`;

const DEFAULT_DENY = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: default-deny, namespace: shop}
spec: {}`;

const SVC = (name: string, selector: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {${selector}}
  ports: [{name: http, port: 80, targetPort: 8080}]`;

/** A Service whose port 80 forwards to the container port named http, and the Deployment whose pods have it (8080). */
const NAMED_TARGET_SVC = `apiVersion: v1
kind: Service
metadata: {name: payment, namespace: shop}
spec:
  selector: {app: payment}
  ports: [{name: http, port: 80, targetPort: http}]`;

const NAMED_PORT_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: payment, namespace: shop}
spec:
  selector: {matchLabels: {app: payment}}
  template:
    metadata: {labels: {app: payment}}
    spec: {containers: [{name: payment, image: "example/payment:1", ports: [{name: http, containerPort: 8080}]}]}`;

const INGRESS_GW = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: shop, namespace: shop}
spec:
  gatewayClassName: istio
  listeners:
  - {name: https, port: 443, protocol: HTTPS, hostname: shop.example.com, tls: {mode: Terminate, certificateRefs: [{kind: Secret, name: shop-tls}]}}
  - {name: http, port: 80, protocol: HTTP, hostname: shop.example.com}`;

const INGRESS_GW_OPTED_OUT = INGRESS_GW.replace('  gatewayClassName: istio\n', '  gatewayClassName: istio\n  infrastructure: {labels: {istio.io/dataplane-mode: none}}\n');
const INGRESS_GW_ENROLLED = INGRESS_GW.replace('  gatewayClassName: istio\n', '  gatewayClassName: istio\n  infrastructure: {labels: {istio.io/dataplane-mode: ambient}}\n');

const ALLOW_INGRESS = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: shop-allow-ingress, namespace: shop}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: shop}]
  action: ALLOW
  rules:
  - to: [{operation: {ports: ["443", "80"]}}]`;

const DEPLOYMENT = (name: string, podMetadata: string, podSpec = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {${podMetadata}}
    spec: {${podSpec}containers: [{name: ${name}, image: "example/${name}:1"}]}`;

const LINKERD_NS = (annotations: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  annotations: {${annotations}}`;

const NAMESPACE_TWICE = (policy: string) => `apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {config.linkerd.io/default-inbound-policy: ${policy}}}`;

const K_SERVICE = (name: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {app: payment}
  ports: [{port: 8080, targetPort: 8080}]`;

export const RULE_EXAMPLES: RuleExample[] = [
  // any mesh: objects defined twice
  { code: 'K101', bad: doc(NAMESPACE_TWICE('deny'), NAMESPACE_TWICE('audit')), expect: ['K101'], fixed: doc(NAMESPACE_TWICE('deny')) },
  { code: 'K102', bad: doc(NAMESPACE_TWICE('deny'), NAMESPACE_TWICE('deny')), expect: ['K102'], fixed: doc(NAMESPACE_TWICE('deny')) },
  // a policy selects a Flagger target's pods by the label Flagger renames on the primary pods (app: payment-primary)
  {
    code: 'K105',
    bad: doc(FLAGGER_TARGET, FLAGGER_CANARY, AP('  action: ALLOW\n  rules:\n  - from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]')),
    expect: ['K105'],
    fixed: doc(FLAGGER_TARGET, FLAGGER_CANARY, AP('  action: ALLOW\n  rules:\n  - from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]').replace('{app: payment}', '{app.kubernetes.io/instance: payment}')),
  },
  // a network that is not a CIDR (Node's parser: isIP and BlockList)
  {
    code: 'K104',
    bad: doc(`apiVersion: policy.linkerd.io/v1alpha1
kind: NetworkAuthentication
metadata: {name: monitoring, namespace: shop}
spec:
  networks: [{cidr: 999.1.1.1/8}, {cidr: "fff:::::/100"}, {cidr: "::1/200"}, {cidr: 10.0.0.0/8, except: [10.1.0.0/33]}]`),
    expect: ['K104', 'K104', 'K104', 'K104'],
    fixed: doc(`apiVersion: policy.linkerd.io/v1alpha1
kind: NetworkAuthentication
metadata: {name: monitoring, namespace: shop}
spec:
  networks: [{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}, {cidr: "fd00::/8", except: ["fd00:1::/32"]}]`),
  },
  {
    code: 'K104',
    bad: doc(AP('  action: ALLOW\n  rules:\n  - from: [{source: {ipBlocks: [10.0.0.256/24]}}]')),
    expect: ['K104'],
    fixed: doc(AP('  action: ALLOW\n  rules:\n  - from: [{source: {ipBlocks: [10.0.0.0/24]}}]')),
  },
  // a route, policy or resolver names a Service the output does not define (the exposeViaService() name is generated)
  {
    code: 'K103',
    bad: doc(K_SERVICE('shop-payment-service-c8a2f1b7'), HTTPROUTE_TO_SERVICE),
    expect: ['K103', 'K103'],
    fixed: doc(K_SERVICE('payment'), HTTPROUTE_TO_SERVICE),
  },
  {
    code: 'K103',
    bad: doc(K_SERVICE('shop-payment-service-c8a2f1b7'), C('ServiceResolver', 'payment', '  connectTimeout: 5s')),
    expect: ['K103'],
    fixed: doc(K_SERVICE('payment'), C('ServiceResolver', 'payment', '  connectTimeout: 5s')),
  },
  {
    code: 'K103',
    bad: doc(K_SERVICE('shop-payment-service-c8a2f1b7'), DR('  trafficPolicy: {connectionPool: {tcp: {maxConnections: 100}}}'), AP_TARGET),
    expect: ['K103', 'K103'],
    fixed: doc(K_SERVICE('payment'), DR('  trafficPolicy: {connectionPool: {tcp: {maxConnections: 100}}}'), AP_TARGET),
  },
  // Istio
  { code: 'I101', bad: doc(VS(ROUTE_TO('subset: v3')), DR(SUBSETS)), expect: ['I101'], fixed: doc(VS(ROUTE_TO('subset: v2')), DR(SUBSETS)) },
  { code: 'I102', bad: doc(VS("  - route: [{destination: {host: '*'}}]")), expect: ['I102'], fixed: doc(VS(ROUTE_TO('port: {number: 8080}'))) },
  { code: 'I103', bad: doc(VS(ROUTE_TO('port: {number: 8080}')), VS(ROUTE_TO('port: {number: 8080}')).replace('name: payment,', 'name: payment-2,')), expect: ['I103'], fixed: doc(VS(ROUTE_TO('port: {number: 8080}'))) },
  {
    code: 'I104',
    bad: doc(VS(`  - route: [{destination: {host: payment}}]
  - match: [{uri: {prefix: /v2}}]
    route: [{destination: {host: payment}}]`)),
    expect: ['I104'],
    fixed: doc(VS(`  - match: [{uri: {prefix: /v2}}]
    route: [{destination: {host: payment}}]
  - route: [{destination: {host: payment}}]`)),
  },
  {
    code: 'I105',
    // the second rule keeps /c, so it is still reached (a rule whose every match repeats is I104 too)
    bad: doc(VS(`  - match: [{uri: {prefix: /a}}]
    route: [{destination: {host: payment}}]
  - match: [{uri: {prefix: /a}}, {uri: {prefix: /c}}]
    route: [{destination: {host: payment}}]`)),
    expect: ['I105'],
    fixed: doc(VS(`  - match: [{uri: {prefix: /a}}, {uri: {prefix: /b}}]
    route: [{destination: {host: payment}}]`)),
  },
  {
    code: 'I105',
    bad: doc(VS(`  - match: [{uri: {prefix: /api}}]
    route: [{destination: {host: payment}}]
  - match: [{uri: {prefix: /api/v2}}]
    route: [{destination: {host: payment}}]`)),
    expect: ['I105'],
    fixed: doc(VS(`  - match: [{uri: {prefix: /api/v2}}]
    route: [{destination: {host: payment}}]
  - match: [{uri: {prefix: /api}}]
    route: [{destination: {host: payment}}]`)),
  },
  {
    code: 'I106',
    bad: doc(VS('  - route: [{destination: {host: payment, subset: v1}, weight: 90}, {destination: {host: payment, subset: v2}, weight: 20}]'), DR(SUBSETS)),
    expect: ['I106'],
    fixed: doc(VS('  - route: [{destination: {host: payment, subset: v1}, weight: 90}, {destination: {host: payment, subset: v2}, weight: 10}]'), DR(SUBSETS)),
  },
  {
    code: 'I107',
    bad: doc(GW_VS('shop/public'), GW('internal', '  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [payment.example.com]')),
    expect: ['I107'],
    fixed: doc(GW_VS('shop/internal'), GW('internal', '  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [payment.example.com]')),
  },
  {
    code: 'I108',
    bad: doc(GW_VS('shop/public'), GW('public', '  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [shop.example.com]')),
    expect: ['I108'],
    fixed: doc(GW_VS('shop/public'), GW('public', '  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [payment.example.com]')),
  },
  { code: 'I109', bad: doc(DR('  subsets:\n  - {name: v1, labels: {version: v1}}\n  - {name: v1, labels: {version: v2}}')), expect: ['I109'], fixed: doc(DR(SUBSETS)) },
  { code: 'I110', bad: doc(DR('  subsets:\n  - {name: v1}')), expect: ['I110'], fixed: doc(DR('  subsets:\n  - {name: v1, labels: {version: v1}}')) },
  { code: 'I111', bad: doc(DR(SUBSETS), DR('  trafficPolicy: {loadBalancer: {simple: RANDOM}}', 'payment-lb')), expect: ['I111'], fixed: doc(DR(`  trafficPolicy: {loadBalancer: {simple: RANDOM}}\n${SUBSETS}`)) },
  { code: 'I112', bad: doc(DR('  trafficPolicy: {loadBalancer: {simple: RANDOM}}').replace('host: payment', "host: '*'")), expect: ['I112'], fixed: doc(DR('  trafficPolicy: {loadBalancer: {simple: RANDOM}}')) },
  {
    code: 'I113',
    bad: doc(PA('default', '  mtls: {mode: STRICT}'), DR('  trafficPolicy: {tls: {mode: DISABLE}}')),
    expect: ['I113'],
    fixed: doc(PA('default', '  mtls: {mode: STRICT}'), DR('  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}')),
  },
  { code: 'I114', bad: doc(AP('  action: DENY')), expect: ['I114'], fixed: doc(AP('  action: DENY\n  rules:\n  - from: [{source: {namespaces: [untrusted]}}]')) },
  {
    code: 'I115',
    bad: doc(AP('  rules:\n  - from: [{source: {principals: [shop/order]}}]')),
    expect: ['I115'],
    fixed: doc(AP('  rules:\n  - from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]')),
  },
  {
    code: 'I116',
    bad: doc(AP("  rules:\n  - from: [{source: {principals: ['*']}}]")),
    expect: ['I116'],
    fixed: doc(AP('  rules:\n  - from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]')),
  },
  {
    code: 'I117',
    bad: doc(AP('  action: DENY\n  rules:\n  - to: [{operation: {methods: [DELETE]}}]')),
    expect: ['I117'],
    fixed: doc(AP('  action: DENY\n  rules:\n  - to: [{operation: {methods: [DELETE], ports: ["8080"]}}]')),
  },
  { code: 'I118', bad: doc(PA('default', '  mtls: {mode: STRICT}'), PA('strict', '  mtls: {mode: STRICT}')), expect: ['I118'], fixed: doc(PA('default', '  mtls: {mode: STRICT}')) },
  {
    code: 'I119',
    bad: doc('apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: a, namespace: shop}\nspec:\n  egress: [{hosts: ["./*"]}]', 'apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: b, namespace: shop}\nspec:\n  egress: [{hosts: ["istio-system/*"]}]'),
    expect: ['I119'],
    fixed: doc('apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: a, namespace: shop}\nspec:\n  egress: [{hosts: ["./*", "istio-system/*"]}]'),
  },
  {
    code: 'I120',
    bad: doc('apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: a, namespace: shop}\nspec:\n  tracing: [{randomSamplingPercentage: 1}]', 'apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: b, namespace: shop}\nspec:\n  tracing: [{randomSamplingPercentage: 5}]'),
    expect: ['I120'],
    fixed: doc('apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: a, namespace: shop}\nspec:\n  tracing: [{randomSamplingPercentage: 1}]'),
  },
  {
    code: 'I121',
    bad: doc('apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: a, namespace: shop}\nspec:\n  jwtRules: [{issuer: https://a.example.com, jwksUri: https://a.example.com/jwks.json}]', 'apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: b, namespace: shop}\nspec:\n  jwtRules: [{issuer: https://a.example.com, jwksUri: https://a.example.com/keys.json}]'),
    expect: ['I121'],
    // several RequestAuthentications of one workload are merged: different issuers are fine
    fixed: doc('apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: a, namespace: shop}\nspec:\n  jwtRules: [{issuer: https://a.example.com, jwksUri: https://a.example.com/jwks.json}]', 'apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: b, namespace: shop}\nspec:\n  jwtRules: [{issuer: https://b.example.com}]'),
  },
  {
    code: 'I122',
    bad: doc(SE('stripe', "  hosts: ['*.stripe.com']\n  location: MESH_EXTERNAL\n  resolution: DNS\n  ports: [{number: 443, name: tls, protocol: TLS}]")),
    expect: ['I122'],
    fixed: doc(SE('stripe', '  hosts: [api.stripe.com]\n  location: MESH_EXTERNAL\n  resolution: DNS\n  ports: [{number: 443, name: tls, protocol: TLS}]')),
  },
  {
    code: 'I123',
    bad: doc(SE('stripe', '  hosts: [api.stripe.com]\n  resolution: DNS\n  ports: [{number: 443, name: tls, protocol: TLS}]'), SE('stripe-2', '  hosts: [api.stripe.com]\n  resolution: DNS\n  ports: [{number: 443, name: https, protocol: HTTPS}]')),
    expect: ['I123'],
    fixed: doc(SE('stripe', '  hosts: [api.stripe.com]\n  resolution: DNS\n  ports: [{number: 443, name: tls, protocol: TLS}]')),
  },
  {
    code: 'I124',
    bad: doc(SE('db', '  hosts: [db.example.com]\n  resolution: DNS\n  ports: [{number: 5432, name: postgres, protocol: TCP}]')),
    expect: ['I124'],
    fixed: doc(SE('db', '  hosts: [db.example.com]\n  addresses: [10.1.2.3]\n  resolution: DNS\n  ports: [{number: 5432, name: postgres, protocol: TCP}]')),
  },
  {
    code: 'I125',
    bad: doc(SE('api', '  hosts: [api.example.com]\n  resolution: DNS\n  ports: [{number: 443, name: https, protocol: HTTPS}, {number: 8443, name: https, protocol: HTTPS}]')),
    expect: ['I125'],
    fixed: doc(SE('api', '  hosts: [api.example.com]\n  resolution: DNS\n  ports: [{number: 443, name: https, protocol: HTTPS}, {number: 8443, name: https-alt, protocol: HTTPS}]')),
  },
  {
    code: 'I126',
    bad: doc(GW('public', '  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: [shop.example.com]')),
    expect: ['I126'],
    fixed: doc(GW('public', '  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: [shop.example.com]\n    tls: {mode: SIMPLE, credentialName: shop-tls}')),
  },
  {
    code: 'I127',
    bad: doc(GW('a', '  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [shop.example.com]'), GW('b', '  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [shop.example.com]')),
    expect: ['I127'],
    fixed: doc(GW('a', '  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [shop.example.com]'), GW('b', '  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [admin.example.com]')),
  },
  {
    code: 'I128',
    bad: doc(GW('shop.public', '  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [shop.example.com]')),
    expect: ['I128'],
    fixed: doc(GW('shop-public', '  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [shop.example.com]')),
  },
  { code: 'I129', bad: doc(DR('  trafficPolicy: {tls: {mode: SIMPLE}}')), expect: ['I129'], fixed: doc(DR('  trafficPolicy: {tls: {mode: SIMPLE, caCertificates: /etc/certs/ca.pem}}')) },
  {
    code: 'I130',
    bad: doc(VS('  - retries: {attempts: 0, retryOn: 5xx}\n    route: [{destination: {host: payment}}]')),
    expect: ['I130'],
    fixed: doc(VS('  - retries: {attempts: 0}\n    route: [{destination: {host: payment}}]')),
  },
  {
    code: 'I131',
    // 3 retries are 4 tries: 4 x 1s does not fit in 3s
    bad: doc(VS('  - timeout: 3s\n    retries: {attempts: 3, perTryTimeout: 1s}\n    route: [{destination: {host: payment}}]')),
    expect: ['I131'],
    fixed: doc(VS('  - timeout: 4s\n    retries: {attempts: 3, perTryTimeout: 1s}\n    route: [{destination: {host: payment}}]')),
  },
  {
    code: 'I132',
    bad: doc(VS('  - route: [{destination: {host: paymnet}}]'), 'apiVersion: v1\nkind: Service\nmetadata: {name: payment, namespace: shop}\nspec:\n  selector: {app: payment}\n  ports: [{port: 8080}]'),
    expect: ['I132'],
    fixed: doc(VS('  - route: [{destination: {host: payment}}]'), 'apiVersion: v1\nkind: Service\nmetadata: {name: payment, namespace: shop}\nspec:\n  selector: {app: payment}\n  ports: [{port: 8080}]'),
  },
  {
    code: 'I133',
    bad: doc(DR('  subsets:\n  - {name: v2, labels: {version: v2}}'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: payment-v1, namespace: shop}\nspec:\n  selector: {matchLabels: {app: payment}}\n  template:\n    metadata: {labels: {app: payment, version: v1, sidecar.istio.io/inject: "true"}}\n    spec: {containers: [{name: payment, image: payment:1}]}'),
    expect: ['I133'],
    fixed: doc(DR('  subsets:\n  - {name: v1, labels: {version: v1}}'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: payment-v1, namespace: shop}\nspec:\n  selector: {matchLabels: {app: payment}}\n  template:\n    metadata: {labels: {app: payment, version: v1, sidecar.istio.io/inject: "true"}}\n    spec: {containers: [{name: payment, image: payment:1}]}'),
  },
  {
    code: 'I134',
    bad: doc(DR('  trafficPolicy:\n    loadBalancer:\n      localityLbSetting: {enabled: true, failover: [{from: us-east, to: us-west}]}')),
    expect: ['I134'],
    fixed: doc(DR('  trafficPolicy:\n    loadBalancer:\n      localityLbSetting: {enabled: true, failover: [{from: us-east, to: us-west}]}\n    outlierDetection: {consecutive5xxErrors: 5}')),
  },
  {
    code: 'I135',
    bad: doc('apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: lua, namespace: shop}\nspec:\n  configPatches:\n  - applyTo: HTTP_FILTER\n    patch: {operation: INSERT_BEFORE, value: {name: envoy.filters.http.lua, typed_config: {\"@type\": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua, default_source_code: {inline_string: \"function envoy_on_request(h) end\"}}}}'),
    expect: ['I135'],
    fixed: doc('apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: lua, namespace: shop}\nspec:\n  priority: 10\n  configPatches:\n  - applyTo: HTTP_FILTER\n    patch: {operation: INSERT_BEFORE, value: {name: envoy.filters.http.lua, typed_config: {\"@type\": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua, default_source_code: {inline_string: \"function envoy_on_request(h) end\"}}}}'),
  },
  {
    code: 'I136',
    bad: doc(VS('  - match: [{uri: {prefix: /old}}]\n    redirect: {uri: /new}\n    route: [{destination: {host: payment}}]')),
    expect: ['I136'],
    fixed: doc(VS('  - match: [{uri: {prefix: /old}}]\n    redirect: {uri: /new}')),
  },
  // Istio ambient
  {
    code: 'I137',
    bad: doc(NS('shop', 'istio.io/dataplane-mode: ambient'), 'apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: shop}\nspec:\n  outboundTrafficPolicy: {mode: REGISTRY_ONLY}', PA('default', '  mtls: {mode: DISABLE}')),
    expect: ['I137', 'I137'],
    fixed: doc(NS('shop', 'istio.io/dataplane-mode: ambient'), PA('default', '  mtls: {mode: PERMISSIVE}')),
  },
  {
    code: 'I138',
    bad: doc(NS('shop', 'istio.io/dataplane-mode: ambient'), AP('  action: ALLOW\n  rules:\n  - from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]\n    to: [{operation: {methods: [POST]}}]')),
    expect: ['I138'],
    fixed: doc(NS('shop', 'istio.io/dataplane-mode: ambient'), AP('  action: ALLOW\n  rules:\n  - from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]\n    to: [{operation: {ports: ["8080"]}}]')),
  },
  {
    code: 'I138',
    bad: doc(NS('shop', 'istio.io/dataplane-mode: ambient'), AP('  action: AUDIT\n  rules:\n  - from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]')),
    expect: ['I138'],
    fixed: doc(NS('shop', 'istio.io/dataplane-mode: ambient\n    istio.io/use-waypoint: waypoint'), WAYPOINT,
      'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: payment-audit, namespace: shop}\nspec:\n  targetRefs: [{group: "", kind: Service, name: payment}]\n  action: AUDIT\n  rules:\n  - from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]'),
  },
  {
    code: 'I139',
    bad: doc(NS('shop', 'istio.io/dataplane-mode: ambient\n    istio.io/use-waypoint: waypoint'), RA('  selector: {matchLabels: {app: payment}}')),
    expect: ['I139'],
    fixed: doc(NS('shop', 'istio.io/dataplane-mode: ambient\n    istio.io/use-waypoint: waypoint'), RA('  targetRefs: [{group: "", kind: Service, name: payment}]')),
  },
  {
    code: 'I140',
    bad: doc(NS('shop', 'istio.io/dataplane-mode: ambient'), HTTPROUTE_TO_SERVICE),
    expect: ['I140'],
    fixed: doc(NS('shop', 'istio.io/dataplane-mode: ambient\n    istio.io/use-waypoint: waypoint'), WAYPOINT, HTTPROUTE_TO_SERVICE),
  },
  {
    code: 'I141',
    bad: doc(NS('shop', 'istio.io/dataplane-mode: ambient'), WAYPOINT),
    expect: ['I141'],
    fixed: doc(NS('shop', 'istio.io/dataplane-mode: ambient\n    istio.io/use-waypoint: waypoint'), WAYPOINT),
  },
  {
    code: 'I142',
    bad: doc(NS('shop', 'istio.io/dataplane-mode: ambient\n    istio.io/use-waypoint: waypoint'), WAYPOINT, AP('  action: ALLOW\n  rules:\n  - from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]'),
      AP_TARGET),
    expect: ['I142'],
    fixed: doc(NS('shop', 'istio.io/dataplane-mode: ambient\n    istio.io/use-waypoint: waypoint'), WAYPOINT, AP('  action: ALLOW\n  rules:\n  - from: [{source: {principals: [cluster.local/ns/shop/sa/waypoint]}}]'),
      AP_TARGET),
  },
  {
    code: 'I143',
    bad: doc(AP('  action: DENY\n  rules:\n  - from: [{source: {notRequestPrincipals: ["*"]}}]\n    to: [{operation: {hosts: [shop.example.com]}}]', 'require-jwt').replace('{app: payment}', '{istio: ingressgateway}'), GW('ingress', '  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: [shop.example.com]\n    tls: {mode: SIMPLE, credentialName: shop-tls}')),
    expect: ['I143'],
    fixed: doc(AP('  action: DENY\n  rules:\n  - from: [{source: {notRequestPrincipals: ["*"]}}]\n    to: [{operation: {hosts: [shop.example.com, "shop.example.com:*"]}}]', 'require-jwt').replace('{app: payment}', '{istio: ingressgateway}'), GW('ingress', '  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: [shop.example.com]\n    tls: {mode: SIMPLE, credentialName: shop-tls}')),
  },
  {
    code: 'I144',
    // payment-v1 (a per-version Service of a release) is served by the waypoint, and only payment is targeted
    bad: doc(NS('shop', 'istio.io/dataplane-mode: ambient\n    istio.io/use-waypoint: waypoint'), WAYPOINT, DEFAULT_DENY, SVC('payment', 'app: payment'), SVC('payment-v1', 'app: payment, version: v1'),
      AP('  action: ALLOW\n  rules:\n  - from: [{source: {principals: [cluster.local/ns/shop/sa/waypoint]}}]', 'payment-allow-waypoint'), AP_TARGET),
    expect: ['I144'],
    fixed: doc(NS('shop', 'istio.io/dataplane-mode: ambient\n    istio.io/use-waypoint: waypoint'), WAYPOINT, DEFAULT_DENY, SVC('payment', 'app: payment'), SVC('payment-v1', 'app: payment, version: v1'),
      AP('  action: ALLOW\n  rules:\n  - from: [{source: {principals: [cluster.local/ns/shop/sa/waypoint]}}]', 'payment-allow-waypoint'),
      AP_TARGET.replace('name: payment}]', 'name: payment}, {group: "", kind: Service, name: payment-v1}]')),
  },
  {
    code: 'I145',
    bad: doc(DEFAULT_DENY, INGRESS_GW),
    expect: ['I145'],
    fixed: doc(DEFAULT_DENY, INGRESS_GW, `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: shop-allow-ingress, namespace: shop}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: shop}]
  action: ALLOW
  rules:
  - to: [{operation: {ports: ["443", "80"]}}]`),
  },
  {
    code: 'I146',
    bad: doc(DR('  trafficPolicy:\n    outlierDetection: {consecutive5xxErrors: 5}'), HTTPROUTE_TO_SERVICE.replace('backendRefs: [{name: payment, port: 8080}]', 'backendRefs: [{name: payment-v1, port: 8080, weight: 90}, {name: payment-v2, port: 8080, weight: 10}]')),
    expect: ['I146', 'I146'],
    fixed: doc(DR('  trafficPolicy:\n    outlierDetection: {consecutive5xxErrors: 5}'), DR('  trafficPolicy:\n    outlierDetection: {consecutive5xxErrors: 5}', 'payment-v1').replace('host: payment', 'host: payment-v1'),
      DR('  trafficPolicy:\n    outlierDetection: {consecutive5xxErrors: 5}', 'payment-v2').replace('host: payment', 'host: payment-v2'),
      HTTPROUTE_TO_SERVICE.replace('backendRefs: [{name: payment, port: 8080}]', 'backendRefs: [{name: payment-v1, port: 8080, weight: 90}, {name: payment-v2, port: 8080, weight: 10}]')),
  },
  {
    code: 'I147',
    bad: doc(`apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: payment-local-ratelimit, namespace: shop}
spec:
  workloadSelector: {labels: {app: payment}}
  priority: 10
  configPatches:
  - applyTo: HTTP_FILTER
    match:
      context: SIDECAR_INBOUND
      listener: {filterChain: {filter: {name: envoy.filters.network.http_connection_manager}}}
    patch:
      operation: INSERT_BEFORE
      value:
        name: envoy.filters.http.local_ratelimit
        typed_config:
          "@type": type.googleapis.com/udpa.type.v1.TypedStruct
          type_url: type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
          value: {stat_prefix: http_local_rate_limiter}`),
    expect: ['I147'],
    fixed: doc(`apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: payment-local-ratelimit, namespace: shop}
spec:
  workloadSelector: {labels: {app: payment}}
  priority: 10
  configPatches:
  - applyTo: HTTP_FILTER
    match:
      context: SIDECAR_INBOUND
      listener: {filterChain: {filter: {name: envoy.filters.network.http_connection_manager, subFilter: {name: envoy.filters.http.router}}}}
    patch:
      operation: INSERT_BEFORE
      value:
        name: envoy.filters.http.local_ratelimit
        typed_config:
          "@type": type.googleapis.com/udpa.type.v1.TypedStruct
          type_url: type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
          value: {stat_prefix: http_local_rate_limiter}`),
  },
  {
    code: 'I148',
    // the Gateway's own dataplane-mode label stops istiod's opt-out: the gateway pods are enrolled in ztunnel,
    // and the default deny refuses the load balancer
    bad: doc(NS('shop', 'istio.io/dataplane-mode: ambient'), DEFAULT_DENY, INGRESS_GW_ENROLLED, ALLOW_INGRESS),
    expect: ['I148'],
    fixed: doc(NS('shop', 'istio.io/dataplane-mode: ambient'), DEFAULT_DENY, INGRESS_GW_OPTED_OUT, ALLOW_INGRESS),
  },
  {
    code: 'I148',
    // the label on the Gateway's metadata (copied to the pods without infrastructure labels); STRICT mTLS
    // alone refuses the plaintext connections. Fixed: no such label, and istiod opts the pods out itself
    bad: doc(NS('shop', 'istio.io/dataplane-mode: ambient'), PA('default', '  mtls: {mode: STRICT}'),
      INGRESS_GW.replace('metadata: {name: shop, namespace: shop}', 'metadata: {name: shop, namespace: shop, labels: {istio.io/dataplane-mode: ambient}}')),
    expect: ['I148'],
    fixed: doc(NS('shop', 'istio.io/dataplane-mode: ambient'), PA('default', '  mtls: {mode: STRICT}'), INGRESS_GW),
  },

  { code: 'I149', bad: doc(VS('  - fault: {delay: {percent: 10, fixedDelay: 2s}}\n    route: [{destination: {host: payment}}]')), expect: ['I149'], fixed: doc(VS('  - fault: {delay: {percentage: {value: 10}, fixedDelay: 2s}}\n    route: [{destination: {host: payment}}]')) },
  {
    code: 'I149',
    bad: doc(SIDECAR('  outboundTrafficPolicy:\n    mode: ALLOW_ANY\n    egressProxy: {host: egress.istio-system.svc.cluster.local, port: {number: 443}}\n  egress:\n  - hosts: ["./*", "istio-system/*"]')),
    expect: ['I149'],
    fixed: doc(SIDECAR('  outboundTrafficPolicy: {mode: ALLOW_ANY}\n  egress:\n  - hosts: ["./*", "istio-system/*"]')),
  },
  {
    code: 'I150',
    // both Gateways run on the ingress pods with one certificate: each is reported (istioctl reports both)
    bad: doc(GW('shop', '  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: [shop.example.com]\n    tls: {mode: SIMPLE, credentialName: wildcard-cert}'),
      GW('admin', '  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: [admin.example.com]\n    tls: {mode: SIMPLE, credentialName: wildcard-cert}')),
    expect: ['I150', 'I150'],
    fixed: doc(GW('shop', '  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: [shop.example.com, admin.example.com]\n    tls: {mode: SIMPLE, credentialName: wildcard-cert}')),
  },
  {
    code: 'I151',
    bad: doc(EF('routes', '  priority: 10\n  configPatches:\n  - applyTo: HTTP_ROUTE\n    match: {context: SIDECAR_OUTBOUND}\n    patch: {operation: ADD, value: {name: extra}}\n  - applyTo: CLUSTER\n    match: {context: SIDECAR_OUTBOUND}\n    patch: {operation: REPLACE, value: {name: extra}}')),
    expect: ['I151', 'I151'],
    fixed: doc(EF('routes', '  priority: 10\n  configPatches:\n  - applyTo: VIRTUAL_HOST\n    match: {context: SIDECAR_OUTBOUND}\n    patch: {operation: MERGE, value: {retry_policy: {num_retries: 2}}}\n  - applyTo: CLUSTER\n    match: {context: SIDECAR_OUTBOUND}\n    patch: {operation: MERGE, value: {connect_timeout: 2s}}')),
  },
  {
    code: 'I152',
    bad: doc(TELEMETRY('logging', '  accessLogging:\n  - filter: {expression: "response.code >= 500"}')),
    expect: ['I152'],
    fixed: doc(TELEMETRY('logging', '  accessLogging:\n  - providers: [{name: envoy}]\n    filter: {expression: "response.code >= 500"}')),
  },
  {
    code: 'I153',
    // the dotted name is no Gateway among the manifests either (I107), as istioctl reports IST0101 with IST0106
    bad: doc(GW_VS('istio-system/ingress.gateway'), GW('internal', '  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [payment.example.com]')),
    expect: ['I107', 'I153'],
    fixed: doc(GW_VS('shop/internal'), GW('internal', '  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [payment.example.com]')),
  },
  {
    code: 'I154',
    // the internal name is also not a valid reference (I153), as istioctl reports IST0106 with IST0165
    bad: doc(GW_VS('shop/public~istio-autogenerated-k8s-gateway~https')),
    expect: ['I153', 'I154'],
    fixed: doc(GW_VS('shop/internal'), GW('internal', '  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [payment.example.com]')),
  },
  {
    code: 'I155',
    bad: doc(GW('public', '  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [payment]\n  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: ["Shop_NS/payment.example.com"]\n    tls: {mode: SIMPLE}')),
    expect: ['I155', 'I155', 'I155'],
    fixed: doc(GW('public', '  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [payment.example.com]\n  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: ["shop/payment.example.com"]\n    tls: {mode: SIMPLE, credentialName: payment-cert}')),
  },
  {
    code: 'I156',
    bad: doc(VS('  - match: [{uri: {regex: "/api/(v1|v2"}}]\n    route: [{destination: {host: payment}}]\n  - route: [{destination: {host: payment}}]').replace('hosts: [payment]', "hosts: ['*']")),
    expect: ['I156', 'I156'],
    fixed: doc(VS('  - match: [{uri: {regex: "/api/(v1|v2)"}}]\n    route: [{destination: {host: payment}}]\n  - route: [{destination: {host: payment}}]')),
  },
  {
    code: 'I157',
    bad: doc(SIDECAR('  egress:\n  - hosts: [payment.shop.svc.cluster.local, "./payment"]')),
    expect: ['I157', 'I157'],
    fixed: doc(SIDECAR('  egress:\n  - hosts: [./payment.shop.svc.cluster.local, "istio-system/*"]')),
  },
  {
    code: 'I158',
    bad: doc(SE('legacy', '  hosts: [legacy.internal]\n  addresses: [10.0.0.300/32]\n  location: MESH_INTERNAL\n  resolution: STATIC\n  ports: [{number: 9000, name: tcp, protocol: TCP}]\n  endpoints: [{address: legacy-1.internal}]')),
    expect: ['I158', 'I158'],
    fixed: doc(SE('legacy', '  hosts: [legacy.internal]\n  addresses: [10.0.0.30/32]\n  location: MESH_INTERNAL\n  resolution: STATIC\n  ports: [{number: 9000, name: tcp, protocol: TCP}]\n  endpoints: [{address: 10.0.0.12}]')),
  },
  {
    code: 'I159',
    bad: doc(DR('  trafficPolicy: {tls: {mode: MUTUAL, caCertificates: /etc/certs/ca.pem}}').replace('host: payment', 'host: bank.example.com')),
    expect: ['I159'],
    fixed: doc(DR('  trafficPolicy: {tls: {mode: MUTUAL, caCertificates: /etc/certs/ca.pem, clientCertificate: /etc/certs/cert.pem, privateKey: /etc/certs/key.pem}}').replace('host: payment', 'host: bank.example.com')),
  },
  {
    code: 'I160',
    bad: doc(AP('  action: CUSTOM\n  rules:\n  - from: [{source: {}}]\n    when: [{key: request.header.x-team, values: [payments]}]')),
    expect: ['I160', 'I160', 'I160'],
    fixed: doc(AP('  action: CUSTOM\n  provider: {name: ext-authz}\n  rules:\n  - from: [{source: {ipBlocks: [10.0.0.0/8]}}]\n    when: [{key: "request.headers[x-team]", values: [payments]}]')),
  },
  {
    code: 'I161',
    bad: doc(PA('default', '  mtls: {mode: STRICT}\n  portLevelMtls:\n    "8080": {mode: PERMISSIVE}')),
    expect: ['I161'],
    fixed: doc(PA('default', '  mtls: {mode: STRICT}'), PA('payment-metrics', '  selector: {matchLabels: {app: payment}}\n  mtls: {mode: STRICT}\n  portLevelMtls:\n    "8080": {mode: PERMISSIVE}')),
  },
  {
    code: 'I162',
    bad: doc('apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: jwt, namespace: shop}\nspec:\n  selector: {matchLabels: {app: payment}}\n  jwtRules: [{issuer: "https://auth.example.com", jwksUri: auth.example.com/keys}]'),
    expect: ['I162'],
    fixed: doc('apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: jwt, namespace: shop}\nspec:\n  selector: {matchLabels: {app: payment}}\n  jwtRules: [{issuer: "https://auth.example.com", jwksUri: "https://auth.example.com/keys"}]'),
  },

  {
    code: 'I163',
    bad: doc(EF('lua', '  priority: 10\n  configPatches:\n  - applyTo: HTTP_FILTER\n    match: {context: SIDECAR_INBOUND}\n    patch: {operation: INSERT_FIRST, value: {name: envoy.filters.http.lua}}')),
    expect: ['I163'],
    fixed: doc(EF('lua', '  priority: 10\n  configPatches:\n  - applyTo: HTTP_FILTER\n    match: {context: SIDECAR_INBOUND}\n    patch:\n      operation: INSERT_FIRST\n      value:\n        name: envoy.filters.http.lua\n        typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua, default_source_code: {inline_string: "function envoy_on_request(h) end"}}')),
  },
  {
    code: 'I164',
    bad: doc(NS('shop', 'istio-injection: enabled'), NAMED_TARGET_SVC, NAMED_PORT_DEPLOYMENT, AP('  action: ALLOW\n  rules:\n  - from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]\n    to: [{operation: {ports: ["80"]}}]')),
    expect: ['I164'],
    fixed: doc(NS('shop', 'istio-injection: enabled'), NAMED_TARGET_SVC, NAMED_PORT_DEPLOYMENT, AP('  action: ALLOW\n  rules:\n  - from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]\n    to: [{operation: {ports: ["8080"]}}]')),
  },
  // Linkerd
  {
    code: 'L101',
    bad: doc(SERVER('payment-http'), MTLS, LAP('  targetRef: {group: apps, kind: Deployment, name: payment}\n  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: order}]')),
    expect: ['L101'],
    fixed: doc(SERVER('payment-http'), MTLS, LAP('  targetRef: {group: policy.linkerd.io, kind: Server, name: payment-http}\n  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: order}]')),
  },
  {
    code: 'L102',
    bad: doc(SERVER('payment-http'), MTLS, LAP('  targetRef: {group: policy.linkerd.io, kind: Server, name: payment-http}\n  requiredAuthenticationRefs:\n  - {group: policy.linkerd.io, kind: MeshTLSAuthentication, name: order}\n  - {kind: ServiceAccount, name: order}')),
    expect: ['L102'],
    fixed: doc(SERVER('payment-http'), MTLS, LAP('  targetRef: {group: policy.linkerd.io, kind: Server, name: payment-http}\n  requiredAuthenticationRefs:\n  - {group: policy.linkerd.io, kind: MeshTLSAuthentication, name: order}')),
  },
  {
    code: 'L103',
    bad: doc(SERVER('payment-http'), LAP('  targetRef: {group: policy.linkerd.io, kind: Server, name: payment-http}\n  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: order}]')),
    expect: ['L103'],
    fixed: doc(SERVER('payment-http'), MTLS, LAP('  targetRef: {group: policy.linkerd.io, kind: Server, name: payment-http}\n  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: order}]')),
  },
  { code: 'L104', bad: doc(SERVER('payment-http', '  accessPolicy: allow-all\n  proxyProtocol: HTTP/3')), expect: ['L104', 'L104'], fixed: doc(SERVER('payment-http', '  accessPolicy: all-authenticated\n  proxyProtocol: HTTP/2')) },
  { code: 'L105', bad: doc(SERVER('payment-http'), SERVER('payment-8080')), expect: ['L105'], fixed: doc(SERVER('payment-http')) },
  {
    code: 'L106',
    bad: doc('apiVersion: policy.linkerd.io/v1alpha1\nkind: MeshTLSAuthentication\nmetadata: {name: order, namespace: shop}\nspec:\n  identities: [shop/order]'),
    expect: ['L106'],
    fixed: doc('apiVersion: policy.linkerd.io/v1alpha1\nkind: MeshTLSAuthentication\nmetadata: {name: order, namespace: shop}\nspec:\n  identities: [order.shop.serviceaccount.identity.linkerd.cluster.local]'),
  },
  {
    code: 'L107',
    bad: doc('apiVersion: policy.linkerd.io/v1alpha1\nkind: NetworkAuthentication\nmetadata: {name: monitoring, namespace: shop}\nspec:\n  networks: [{cidr: 10.0.0.0/16, except: [10.1.0.0/24]}]'),
    expect: ['L107'],
    fixed: doc('apiVersion: policy.linkerd.io/v1alpha1\nkind: NetworkAuthentication\nmetadata: {name: monitoring, namespace: shop}\nspec:\n  networks: [{cidr: 10.0.0.0/16, except: [10.0.5.0/24]}]'),
  },
  {
    code: 'L108',
    bad: doc(SERVER('payment-http'), 'apiVersion: policy.linkerd.io/v1alpha1\nkind: HTTPLocalRateLimitPolicy\nmetadata: {name: payment, namespace: shop}\nspec:\n  targetRef: {group: policy.linkerd.io, kind: Server, name: payment-http}\n  total: {requestsPerSecond: 100}\n  identity: {requestsPerSecond: 200}'),
    expect: ['L108'],
    fixed: doc(SERVER('payment-http'), 'apiVersion: policy.linkerd.io/v1alpha1\nkind: HTTPLocalRateLimitPolicy\nmetadata: {name: payment, namespace: shop}\nspec:\n  targetRef: {group: policy.linkerd.io, kind: Server, name: payment-http}\n  total: {requestsPerSecond: 100}\n  identity: {requestsPerSecond: 20}'),
  },
  {
    code: 'L109',
    bad: doc(SERVER('payment-http'), ROUTE("retry.linkerd.io/http: '5xx,connect-failure', retry.linkerd.io/timeout: 1.5s", '  - backendRefs: [{name: payment, port: 8080}]')),
    expect: ['L109', 'L109'],
    fixed: doc(SERVER('payment-http'), ROUTE("retry.linkerd.io/http: '5xx,503', retry.linkerd.io/timeout: 1500ms", '  - backendRefs: [{name: payment, port: 8080}]')),
  },
  {
    code: 'L110',
    bad: doc(SERVER('payment-http'), ROUTE('', '  - backendRefs: [{name: payment-v2}]')),
    expect: ['L110'],
    fixed: doc(SERVER('payment-http'), ROUTE('', '  - backendRefs: [{name: payment-v2, port: 8080}]')),
  },
  {
    code: 'L111',
    bad: doc('apiVersion: linkerd.io/v1alpha2\nkind: ServiceProfile\nmetadata: {name: payment.shop.svc.cluster.local, namespace: shop}\nspec:\n  routes: [{name: all, condition: {pathRegex: /.*}}]', ROUTE('', '  - backendRefs: [{name: payment, port: 8080}]')),
    expect: ['L111'],
    fixed: doc(ROUTE('', '  - backendRefs: [{name: payment, port: 8080}]')),
  },
  {
    code: 'L112',
    bad: doc(SERVER('payment-http'), ROUTE('', '  - name: main\n    backendRefs: [{name: payment, port: 8080}]')),
    expect: ['L112'],
    fixed: doc(SERVER('payment-http'), ROUTE('', '  - backendRefs: [{name: payment, port: 8080}]')),
  },
  {
    code: 'L120',
    bad: doc(L_EGRESS, L_TLSROUTE('v1')),
    expect: ['L120'],
    fixed: doc(L_EGRESS, L_TLSROUTE('v1alpha2')),
  },
  {
    code: 'L121',
    bad: doc(L_NAMESPACE, SERVER('payment-http', '  accessPolicy: all-unauthenticated')),
    expect: ['L121'],
    fixed: doc(L_NAMESPACE, SERVER('payment-http', '  accessPolicy: deny')),
  },
  {
    // the pods' own default (their pod template's annotation) decides, not the namespace's
    code: 'L121',
    bad: doc(L_NAMESPACE.replace('default-inbound-policy: deny', 'default-inbound-policy: all-unauthenticated'), SERVER('payment-http', '  accessPolicy: all-unauthenticated'), L_POD_POLICY),
    expect: ['L121'],
    fixed: doc(L_NAMESPACE.replace('default-inbound-policy: deny', 'default-inbound-policy: all-unauthenticated'), SERVER('payment-http', '  accessPolicy: deny'), L_POD_POLICY),
  },
  {
    code: 'L122',
    bad: doc(SERVER('payment-http', '  accessPolicy: deny'), L_SERVER_ROUTE, L_PROBED(8080)),
    expect: ['L122'],
    fixed: doc(SERVER('payment-http', '  accessPolicy: deny'), L_SERVER_ROUTE, L_PROBED(9090)),
  },
  {
    code: 'L123',
    bad: doc(L_EG_GATEWAY, L_EG_ROUTE, SERVER('payment-http', '  accessPolicy: deny'), L_MTLS_FROM('{kind: ServiceAccount, name: api-gateway}'), LAP('  targetRef: {group: policy.linkerd.io, kind: Server, name: payment-http}\n  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: edge}]')),
    expect: ['L123'],
    fixed: doc(L_EG_GATEWAY, L_EG_ROUTE, SERVER('payment-http', '  accessPolicy: deny'), L_MTLS_FROM('{kind: ServiceAccount, name: envoy-shop-shop-0b6553f4, namespace: envoy-gateway-system}'), LAP('  targetRef: {group: policy.linkerd.io, kind: Server, name: payment-http}\n  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: edge}]')),
  },
  {
    code: 'L124',
    bad: doc(SERVER('payment-http', '  proxyProtocol: gRPC\n  accessPolicy: deny'), L_SERVER_ROUTE),
    expect: ['L124'],
    fixed: doc(SERVER('payment-http', '  proxyProtocol: HTTP/2\n  accessPolicy: deny'), L_SERVER_ROUTE),
  },
  // Consul
  {
    code: 'C101',
    bad: doc(SD('payment', '  protocol: http'), C('ServiceSplitter', 'payment', '  splits: [{weight: 90, serviceSubset: v1}, {weight: 20, serviceSubset: v2}]'), C('ServiceResolver', 'payment', '  subsets: {v1: {filter: "Service.Meta.version == v1"}, v2: {filter: "Service.Meta.version == v2"}}')),
    expect: ['C101'],
    fixed: doc(SD('payment', '  protocol: http'), C('ServiceSplitter', 'payment', '  splits: [{weight: 90, serviceSubset: v1}, {weight: 10, serviceSubset: v2}]'), C('ServiceResolver', 'payment', '  subsets: {v1: {filter: "Service.Meta.version == v1"}, v2: {filter: "Service.Meta.version == v2"}}')),
  },
  {
    code: 'C102',
    bad: doc(SD('payment', '  protocol: tcp'), C('ServiceRouter', 'payment', '  routes: [{match: {http: {pathPrefix: /v2}}, destination: {requestTimeout: 3s}}]')),
    expect: ['C102'],
    fixed: doc(SD('payment', '  protocol: http'), C('ServiceRouter', 'payment', '  routes: [{match: {http: {pathPrefix: /v2}}, destination: {requestTimeout: 3s}}]')),
  },
  {
    code: 'C102',
    bad: doc(C('ServiceIntentions', 'payment', '  destination: {name: payment}\n  sources: [{name: order, permissions: [{action: allow, http: {pathPrefix: /}}]}]')),
    expect: ['C102'],
    fixed: doc(SD('payment', '  protocol: http'), C('ServiceIntentions', 'payment', '  destination: {name: payment}\n  sources: [{name: order, permissions: [{action: allow, http: {pathPrefix: /}}]}]')),
  },
  {
    code: 'C103',
    bad: doc(SD('payment', '  protocol: http'), C('ServiceRouter', 'payment', '  routes: [{match: {http: {pathPrefix: /v2, pathExact: /v2/x}}, destination: {requestTimeout: 3s}}]')),
    expect: ['C103'],
    fixed: doc(SD('payment', '  protocol: http'), C('ServiceRouter', 'payment', '  routes: [{match: {http: {pathPrefix: /v2}}, destination: {requestTimeout: 3s}}]')),
  },
  {
    code: 'C104',
    bad: doc(SD('payment', '  protocol: http'), C('ServiceIntentions', 'payment', '  destination: {name: payment}\n  sources: [{name: order, action: allow, permissions: [{action: allow, http: {pathPrefix: /}}]}]')),
    expect: ['C104'],
    fixed: doc(C('ServiceIntentions', 'payment', '  destination: {name: payment}\n  sources: [{name: order, action: allow}]')),
  },
  {
    code: 'C105',
    bad: doc(C('ServiceResolver', 'payment', '  defaultSubset: v1\n  subsets: {V1: {filter: "Service.Meta.version == v1"}}')),
    expect: ['C105', 'C105'],
    fixed: doc(C('ServiceResolver', 'payment', '  defaultSubset: v1\n  subsets: {v1: {filter: "Service.Meta.version == v1"}}')),
  },
  {
    code: 'C106',
    bad: doc(SD('payment', '  protocol: http'), C('ServiceSplitter', 'payment', '  splits: [{weight: 100, serviceSubset: v2}]')),
    expect: ['C106'],
    fixed: doc(SD('payment', '  protocol: http'), C('ServiceSplitter', 'payment', '  splits: [{weight: 100, serviceSubset: v2}]'), C('ServiceResolver', 'payment', '  subsets: {v2: {filter: "Service.Meta.version == v2"}}')),
  },
  {
    code: 'C107',
    bad: doc(C('ExportedServices', 'payment', '  services: [{name: payment, consumers: [{peer: us-west, partition: default}]}]')),
    expect: ['C107', 'C107'],
    fixed: doc(C('ExportedServices', 'default', '  services: [{name: payment, consumers: [{peer: us-west}]}]')),
  },
  { code: 'C108', bad: doc(C('ProxyDefaults', 'defaults', '  mutualTLSMode: strict')), expect: ['C108'], fixed: doc(C('ProxyDefaults', 'global', '  mutualTLSMode: strict')) },
  { code: 'C109', bad: doc(SD('payment', '  protocol: http'), SD('payment', '  protocol: http', 'billing')), expect: ['C109'], fixed: doc(SD('payment', '  protocol: http')) },
  { code: 'C110', bad: doc(SD('payment', '  protocol: https')), expect: ['C110'], fixed: doc(SD('payment', '  protocol: http')) },
  {
    code: 'C111',
    bad: doc(C('ProxyDefaults', 'global', '  mutualTLSMode: permissive')),
    expect: ['C111'],
    fixed: doc(C('ProxyDefaults', 'global', '  mutualTLSMode: permissive'), C('Mesh', 'mesh', '  allowEnablingPermissiveMutualTLS: true')),
  },
  // enrolment: mesh objects for workloads that get no proxy
  {
    code: 'I190',
    bad: doc(NS('shop', 'team: payments'), PA('default', '  mtls: {mode: STRICT}')),
    expect: ['I190'],
    fixed: doc(NS('shop', 'istio-injection: enabled'), PA('default', '  mtls: {mode: STRICT}')),
  },
  {
    code: 'I190',
    bad: doc(PA('default', '  mtls: {mode: STRICT}'), DEPLOYMENT('payment', 'labels: {app: payment}')),
    expect: ['I190'],
    fixed: doc(PA('default', '  mtls: {mode: STRICT}'), DEPLOYMENT('payment', 'labels: {app: payment, istio.io/rev: canary}')),
  },
  {
    code: 'I190',
    bad: doc(NS('shop', 'istio-injection: disabled\n    istio.io/rev: canary'), PA('default', '  mtls: {mode: STRICT}')),
    expect: ['I190'],
    fixed: doc(NS('shop', 'istio.io/rev: canary'), PA('default', '  mtls: {mode: STRICT}')),
  },
  {
    code: 'L190',
    bad: doc(LINKERD_NS('config.linkerd.io/default-inbound-policy: deny'), SERVER('payment-8080')),
    expect: ['L190'],
    fixed: doc(LINKERD_NS('config.linkerd.io/default-inbound-policy: deny, linkerd.io/inject: enabled'), SERVER('payment-8080')),
  },
  {
    code: 'L190',
    bad: doc(SERVER('payment-8080'), DEPLOYMENT('payment', 'labels: {app: payment}')),
    expect: ['L190'],
    fixed: doc(SERVER('payment-8080'), DEPLOYMENT('payment', 'labels: {app: payment}, annotations: {linkerd.io/inject: enabled}')),
  },
  {
    code: 'C190',
    bad: doc(SD('payment', '  protocol: http'), DEPLOYMENT('payment', 'labels: {app: payment}')),
    expect: ['C190'],
    fixed: doc(SD('payment', '  protocol: http'), DEPLOYMENT('payment', 'labels: {app: payment}, annotations: {consul.hashicorp.com/connect-inject: "true"}')),
  },
  {
    code: 'C190',
    bad: doc(SD('payment', '  protocol: http'), DEPLOYMENT('payment', 'labels: {app: payment}, annotations: {consul.hashicorp.com/connect-inject: "false"}')),
    expect: ['C190'],
    fixed: doc(SD('payment', '  protocol: http'), DEPLOYMENT('payment', 'labels: {app: payment}, annotations: {consul.hashicorp.com/connect-inject: "true"}')),
  },
  {
    code: 'C190',
    bad: doc(SD('payment', '  protocol: http'), DEPLOYMENT('payment', 'labels: {app: payment}, annotations: {consul.hashicorp.com/connect-inject: "true"}', 'automountServiceAccountToken: false, ')),
    expect: ['C190'],
    fixed: doc(SD('payment', '  protocol: http'), DEPLOYMENT('payment', 'labels: {app: payment}, annotations: {consul.hashicorp.com/connect-inject: "true"}', 'automountServiceAccountToken: true, ')),
  },
  {
    code: 'C112',
    bad: doc(SD('payment', '  protocol: http'), C('ServiceIntentions', 'payment', '  destination: {name: payment}\n  sources: [{name: order, permissions: [{action: allow, jwt: {providers: [{name: auth}]}}]}]'),
      C('ServiceIntentions', 'default-deny', '  destination: {name: "*"}\n  sources: [{name: web, permissions: [{action: allow, http: {pathPrefix: /}}]}]')),
    expect: ['C112', 'C112'],
    fixed: doc(SD('payment', '  protocol: http'), C('ServiceIntentions', 'payment', '  destination: {name: payment}\n  sources: [{name: order, permissions: [{action: allow, http: {pathPrefix: /}, jwt: {providers: [{name: auth}]}}, {action: deny, http: {pathPrefix: /}}]}]'),
      C('ServiceIntentions', 'default-deny', '  destination: {name: "*"}\n  sources: [{name: web, action: allow}]')),
  },
  {
    code: 'C113',
    bad: doc(SD('payment', '  protocol: http'), C('ServiceIntentions', 'payment', '  destination: {name: payment}\n  sources: [{name: order, permissions: [{action: allow, http: {pathExact: /process-payment, methods: [POST]}}]}]')),
    expect: ['C113'],
    fixed: doc(SD('payment', '  protocol: http'), C('ServiceIntentions', 'payment', '  destination: {name: payment}\n  sources: [{name: order, permissions: [{action: allow, http: {pathExact: /process-payment, methods: [POST]}}, {action: deny, http: {pathPrefix: /}}]}]')),
  },
  {
    code: 'C114',
    bad: doc(C('ServiceIntentions', 'payment', "  destination: {name: payment}\n  sources: [{name: order, action: allow}, {name: '*', action: deny}]"), C('ServiceIntentions', 'payment-remote-callers', "  destination: {name: payment}\n  sources: [{name: order, peer: us-west, action: allow}, {name: '*', peer: us-west, action: deny}, {name: '*', action: deny}]")),
    expect: ['C114'],
    fixed: doc(C('ServiceIntentions', 'payment', "  destination: {name: payment}\n  sources: [{name: order, action: allow}, {name: order, peer: us-west, action: allow}, {name: '*', peer: us-west, action: deny}, {name: '*', action: deny}]")),
  },
  {
    code: 'C115',
    bad: doc(C('ServiceIntentions', 'payment', '  destination: {name: payment}\n  sources: [{name: order, peer: us-west, action: allow}]')),
    expect: ['C115', 'C115'],
    fixed: doc(C('ServiceIntentions', 'payment', "  destination: {name: payment}\n  sources: [{name: order, peer: us-west, action: allow}, {name: '*', peer: us-west, action: deny}, {name: '*', action: deny}]")),
  },
];


/**
 * The shop: a web front end, an order service, a payment service and a user service, written once
 * and synthesized for Istio (sidecars, and ambient: examples/dist/istio-ambient/), Linkerd and Consul
 * into examples/dist/<mesh>/.
 *
 *   web ──> order ──> payment (v1, v2 in release)
 *    │        │
 *    └──> user <┘
 *
 * examples/dist/<mesh>/ holds the current state (istio-ambient: Istio on the ambient data plane); examples/dist/releases/payment-v2/<mesh>/step-N/
 * holds each step of the payment v2 release. examples/dist/<mesh>-flagger/ and <mesh>-argo/ release payment v2
 * with a progressive-delivery controller instead (a Flagger Canary, an Argo Rollout): one folder each, the
 * controller walks the steps.
 */
import * as path from 'path';
import { App, Chart, ChartProps, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  AccessRule, CanaryDelivery, CanaryRelease, CircuitBreaker, DeliveryController, FaultInjection, HeaderMatch, HttpMethod, Identity, IstioDataPlane, Mesh, MeshKind, MtlsPhase, PathMatch,
  ReleaseVersion, ResilientService,
  EgressPolicy, IngressGateway, MultiClusterExport, RetryPolicy, ServiceRef, TraceTag, TrafficTelemetry, UnsupportedSettings, ZeroTrustNamespace,
} from '../../src';

/**
 * The seed patterns' values: 3 s timeout, tries of 1 s on 5xx/reset/connect-failure/refused-stream: the
 * first try and 2 retries fit in the timeout (3 retries would make 4 tries, 4 s).
 */
const RETRIES: RetryPolicy = { attempts: 2, perTryTimeout: Duration.seconds(1) };
const TIMEOUT = Duration.seconds(3);
/** 5 consecutive errors, scanned every 30 s, ejected for 30 s, at most 50 % of the endpoints. */
const CIRCUIT_BREAKER: CircuitBreaker = {
  consecutiveErrors: 5, interval: Duration.seconds(30), ejectionTime: Duration.seconds(30), maxEjectionPercent: 50,
};

export interface ShopProps extends ChartProps {
  readonly mesh: Mesh;
  /** The step of the payment v2 release (1 to 4). */
  readonly releaseStep?: number;
  /**
   * Whether payment v2 is being released (a CanaryRelease); without it, payment runs v1 only.
   * @default true
   */
  readonly release?: boolean;
  /**
   * Who releases payment v2: static steps (the folders of releases/), Flagger or Argo Rollouts. With a
   * controller, payment runs one Deployment (the controller makes the versions) whose pods the policies
   * select by app.kubernetes.io/instance (Flagger renames app to payment-primary on the primary pods),
   * and payment has no ResilientService (the controller owns its routes).
   * @default DeliveryController.STATIC_STEPS
   */
  readonly delivery?: DeliveryController;
  /**
   * Whether payment fails over to another region (the two-cluster shop): its circuit breaker may then eject
   * every local pod (Envoy caps ejections at maxEjectionPercent of all the endpoints, remote ones included,
   * so a lower cap keeps failing local pods in the pool and the failover partial).
   * @default false
   */
  readonly failover?: boolean;
}

export class Shop extends Chart {
  constructor(scope: Construct, id: string, props: ShopProps) {
    super(scope, id, { namespace: 'shop', disableResourceNameHashes: true, ...props });
    const { mesh } = props;
    // ambient: no retries in Gateway API routes (the waypoint keeps Istio's default) and no sidecar to
    // rate-limit in: left out here, so that the Istio outputs keep unsupportedSettings FAIL
    const ambient = mesh.ambient;
    // Linkerd's settings are annotations on the Namespace, ambient's enrolment labels on it: one object,
    // created first and shared by the patterns
    const namespaceObject = mesh.kind === MeshKind.LINKERD || ambient ? new kplus.Namespace(this, 'namespace', { metadata: { name: 'shop' } }) : undefined;
    const service = (name: string, image: string) => {
      const deployment = new kplus.Deployment(this, name, {
        metadata: { name },
        replicas: 2,
        serviceAccount: new kplus.ServiceAccount(this, `${name}-sa`, { metadata: { name } }),
        podMetadata: { labels: { app: name, version: 'v1' } },
        containers: [{ name, image, portNumber: 8080, securityContext: { user: 1000, group: 1000 } }],
      });
      return ServiceRef.fromService(deployment.exposeViaService({ name, ports: [{ port: 80, targetPort: 8080, name: 'http' }] }));
    };
    const web = service('web', 'ghcr.io/example/shop-web:1.4.2');
    const order = service('order', 'ghcr.io/example/shop-order:2.1.0');
    const user = service('user', 'ghcr.io/example/shop-user:1.9.0');

    // payment runs two versions behind one Service that selects app=payment
    const paymentSa = new kplus.ServiceAccount(this, 'payment-sa', { metadata: { name: 'payment' } });
    // v2 scales with its share of requests (weight × v1's 3 replicas, at least 1): 1, 1, 2, then 3 pods
    const releaseWeights = [10, 25, 50, 100];
    const paymentVersion = (version: string, image: string) => new kplus.Deployment(this, `payment-${version}`, {
      metadata: { name: `payment-${version}` },
      replicas: version === 'v1' ? 3 : Math.max(1, Math.ceil(releaseWeights[(props.releaseStep ?? 1) - 1] * 3 / 100)),
      serviceAccount: paymentSa,
      podMetadata: { labels: { app: 'payment' } },
      containers: [{ name: 'payment', image, portNumber: 8080, securityContext: { user: 1000, group: 1000 } }],
    });
    const delivery = props.delivery ?? DeliveryController.STATIC_STEPS;
    const controlled = delivery !== DeliveryController.STATIC_STEPS;
    const paymentV1 = controlled ? undefined : paymentVersion('v1', 'ghcr.io/example/shop-payment:3.0.1');
    const release = props.release ?? true;
    const paymentV2 = release && !controlled ? paymentVersion('v2', 'ghcr.io/example/shop-payment:3.1.0') : undefined;
    // with a controller: the one Deployment being released (its selector keeps app, which Flagger needs)
    const paymentTarget = controlled ? controlledPayment(this, paymentSa) : undefined;
    const paymentLabels: { [k: string]: string } = controlled ? { 'app.kubernetes.io/instance': 'payment' } : { app: 'payment' };
    // Flagger generates the payment Service (and payment-primary, payment-canary): the app does not write it
    const payment = delivery === DeliveryController.FLAGGER
      ? ServiceRef.fromName('payment', { port: 80, targetPort: 8080, portName: 'http', selector: paymentLabels })
      : ServiceRef.fromService(new kplus.Service(this, 'payment-svc', {
        metadata: { name: 'payment' },
        ports: [{ port: 80, targetPort: 8080, name: 'http' }],
        selector: kplus.Pods.select(this, 'payment-pods', { labels: paymentLabels }),
      }));

    // Linkerd and Consul cannot express every setting of the seed values; the example keeps one
    // description for all meshes and lets each drop what it cannot express, visibly (warnings and a
    // cdk8s-mesh.io/dropped-settings annotation). A real app would pick FAIL and adjust per mesh.
    const unsupportedSettings = mesh.kind === MeshKind.ISTIO ? UnsupportedSettings.FAIL : UnsupportedSettings.DROP_WITH_WARNING;
    const retries = ambient ? undefined : RETRIES;

    new ResilientService(this, 'order-resilience', {
      mesh, service: order, timeout: TIMEOUT, retries, circuitBreaker: CIRCUIT_BREAKER,
      // creating an order is not idempotent: never retried, and given more time
      routes: [{ name: 'create-order', match: { path: PathMatch.prefix('/orders'), methods: [HttpMethod.POST] }, timeout: Duration.seconds(5), noRetries: true }],
      callers: [web],
      unsupportedSettings,
    });
    if (!controlled) new ResilientService(this, 'payment-resilience', {
      mesh, service: payment, timeout: TIMEOUT, retries,
      ...(props.failover ? { circuitBreaker: { ...CIRCUIT_BREAKER, maxEjectionPercent: 100 }, allowFullEjection: true } : { circuitBreaker: CIRCUIT_BREAKER }),
      connectionPool: mesh.kind === MeshKind.LINKERD ? undefined : { maxConnections: 100, maxPendingRequests: 50, maxConcurrentRequests: 100 },
      callers: [order],
      unsupportedSettings,
    });
    new ResilientService(this, 'user-resilience', {
      mesh, service: user, timeout: TIMEOUT, retries, circuitBreaker: CIRCUIT_BREAKER,
      rateLimit: mesh.kind === MeshKind.CONSUL || ambient ? undefined : { requestsPerSecond: 200 },
      callers: [web, order],
      unsupportedSettings,
    });

    // zero trust: STRICT mTLS, default deny, and exactly the calls the shop makes (as in the seeds:
    // payment accepts POST /process-payment only from the order service and the API gateway)
    const apiGateway = Identity.serviceAccount('api-gateway');

    // the edge: shop.example.com over HTTPS, /api to the order service and the rest to web; on Istio a
    // JWT is required at the gateway too. Linkerd has no ingress of its own: Envoy Gateway (GatewayClass
    // `eg`, its quickstart's) serves it, with its proxies meshed (docs/cluster-linkerd.md).
    const ingress = new IngressGateway(this, 'ingress', {
      mesh,
      name: 'shop',
      host: 'shop.example.com',
      tlsSecretName: 'shop-example-com-tls',
      gatewayClassName: mesh.kind === MeshKind.LINKERD ? 'eg' : undefined,
      // Linkerd: the EnvoyProxy that meshes Envoy Gateway's proxies and sends to Services (apply it with
      // the output: docs/cluster-linkerd.md)
      envoyProxyName: mesh.kind === MeshKind.LINKERD ? 'shop-linkerd' : undefined,
      routes: [{ pathPrefix: '/', service: web }, { pathPrefix: '/api', service: order }],
      jwt: mesh.kind === MeshKind.ISTIO ? { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json', audiences: ['shop'] } : undefined,
    });
    // the gateway's own identity (on Linkerd, the service account Envoy Gateway generates for this
    // Gateway's proxies in envoy-gateway-system, not the whole namespace: every team's Gateways run there).
    // On Consul the API gateway is the only edge, registered under the Gateway's name: naming a service
    // api-gateway too would let in any service of that name. On Linkerd too the Gateway is the only edge:
    // no workload runs as api-gateway there
    const gatewayOnly = mesh.kind === MeshKind.CONSUL || mesh.kind === MeshKind.LINKERD;
    const edge = gatewayOnly ? [ingress.callerIdentity!] : ingress.callerIdentity ? [apiGateway, ingress.callerIdentity] : [apiGateway];
    new ZeroTrustNamespace(this, 'zero-trust', {
      mesh,
      namespaceObject,
      mtls: MtlsPhase.STRICT,
      allow: [
        { callers: edge, to: web },
        { callers: [Identity.serviceAccount('web'), ...edge], to: order },
        { callers: [Identity.serviceAccount('web'), Identity.serviceAccount('order')], to: user, methods: [HttpMethod.GET] },
        paymentAccess(mesh, payment, edge),
      ],
    });

    // telemetry: traces of 1 % of requests with the seeds' tags (Istio only: Linkerd sets tracing at install
    // time, Consul in ProxyDefaults' opaque config.envoy_tracing_json, which the library does not write), and
    // access logs (Istio: only failed requests)
    new TrafficTelemetry(this, 'telemetry', {
      mesh,
      namespaceObject,
      tracing: mesh.kind === MeshKind.ISTIO ? {
        provider: 'jaeger',
        samplingPercentage: 1,
        customTags: { environment: TraceTag.literal('production'), cluster: TraceTag.fromEnvironment('ISTIO_META_CLUSTER_ID') },
      } : undefined,
      accessLogging: mesh.kind === MeshKind.ISTIO ? { filter: 'response.code >= 400' } : {},
    });

    // egress: payment calls the card processor over HTTPS, and no workload of the shop calls anything else
    // (ambient: ztunnel cannot refuse unknown hosts, so the ServiceEntry only registers the host there)
    new EgressPolicy(this, 'egress', {
      mesh,
      hosts: [{ host: 'api.stripe.com' }],
      registryOnly: !ambient,
      callers: mesh.kind === MeshKind.CONSUL ? [payment] : undefined,
    });

    // chaos testing of the user service (Istio sidecars): requests that ask for it get a 2 s delay
    // (x-chaos: delay) or an HTTP 503 (x-chaos: abort); every other request is untouched. Linkerd and
    // Consul have no fault injection; on ambient, user's HTTPRoutes (its timeouts) and the VirtualService
    // that faults need would be undefined together, so it is left out there
    if (mesh.kind === MeshKind.ISTIO && !ambient) {
      new FaultInjection(this, 'user-chaos', {
        mesh,
        service: user,
        rules: [
          { match: { headers: [HeaderMatch.exact('x-chaos', 'delay')] }, delay: { fixedDelay: Duration.seconds(2), percent: 100 } },
          { match: { headers: [HeaderMatch.exact('x-chaos', 'abort')] }, abort: { httpStatus: 503, percent: 100 } },
        ],
      });
    }

    // release payment v2 by a controller: the same steps and health alert. Flagger's analysis.match would
    // keep the other requests off the canary (A/B testing), so its release has no test-user route
    if (paymentTarget) new CanaryRelease(this, 'payment-release', {
      mesh,
      service: payment,
      delivery: delivery === DeliveryController.FLAGGER ? CanaryDelivery.flagger({ target: paymentTarget }) : CanaryDelivery.argoRollouts({ workload: paymentTarget }),
      steps: [
        { weight: releaseWeights[0], pause: Duration.minutes(30) },
        { weight: releaseWeights[1], pause: Duration.minutes(30) },
        { weight: releaseWeights[2], pause: Duration.hours(1) },
        { weight: releaseWeights[3] },
      ],
      canaryRequests: delivery === DeliveryController.ARGO_ROLLOUTS ? [{ headers: [HeaderMatch.exact('x-test-user', 'true')] }] : undefined,
      healthAlert: { maxErrorRatePercent: 1, maxP99Latency: Duration.millis(500) },
    });

    // release payment v2: 10 % of requests, and every request of a test user
    if (paymentV2) new CanaryRelease(this, 'payment-release', {
      mesh,
      service: payment,
      stable: ReleaseVersion.fromDeployment(paymentV1!, 'v1'),
      canary: ReleaseVersion.fromDeployment(paymentV2, 'v2'),
      steps: [
        { weight: releaseWeights[0], pause: Duration.minutes(30) },
        { weight: releaseWeights[1], pause: Duration.minutes(30) },
        { weight: releaseWeights[2], pause: Duration.hours(1) },
        { weight: releaseWeights[3] },
      ],
      step: props.releaseStep ?? 1,
      canaryRequests: [{ headers: [HeaderMatch.exact('x-test-user', 'true')] }],
      // kube-prometheus-stack's Prometheus loads the PrometheusRules (and PodMonitors) labelled with its release
      healthAlert: { maxErrorRatePercent: 1, maxP99Latency: Duration.millis(500), prometheusLabels: { release: 'kube-prometheus-stack' } },
    });
  }
}

/** payment released by a controller: one Deployment, selected by app (Flagger's selector label), with the policies' label too. */
function controlledPayment(scope: Construct, serviceAccount: kplus.ServiceAccount): kplus.Deployment {
  const deployment = new kplus.Deployment(scope, 'payment', {
    metadata: { name: 'payment' },
    replicas: 3,
    serviceAccount,
    select: false,
    podMetadata: { labels: { 'app': 'payment', 'app.kubernetes.io/instance': 'payment' } },
    containers: [{ name: 'payment', image: 'ghcr.io/example/shop-payment:3.1.0', portNumber: 8080, securityContext: { user: 1000, group: 1000 } }],
  });
  deployment.select(kplus.LabelSelector.of({ labels: { app: 'payment' } }));
  return deployment;
}


/**
 * Linkerd: the canary alert is evaluated by kube-prometheus-stack's Prometheus (linkerd-viz's loads no
 * PrometheusRule), which the zero-trust namespace lets scrape the proxies too.
 */
export const SHOP_LINKERD = Mesh.linkerd({ prometheus: { namespace: 'monitoring', serviceAccount: 'kube-prometheus-stack-prometheus' } });

/** The shop released by a controller, with its output folder names (one per controller and mesh). */
export const SHOP_DELIVERIES: [string, Mesh, DeliveryController][] = [
  ['istio-flagger', Mesh.istio(), DeliveryController.FLAGGER],
  ['istio-argo', Mesh.istio(), DeliveryController.ARGO_ROLLOUTS],
  ['istio-ambient-flagger', Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }), DeliveryController.FLAGGER],
  ['istio-ambient-argo', Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }), DeliveryController.ARGO_ROLLOUTS],
  ['linkerd-flagger', SHOP_LINKERD, DeliveryController.FLAGGER],
  ['linkerd-argo', SHOP_LINKERD, DeliveryController.ARGO_ROLLOUTS],
];

/**
 * Who may call payment (in us-west, and in eu-west, its failover target): POST /process-payment from the
 * order service and the API gateway (on Linkerd and Consul, the ingress gateway's own identity: `edge`,
 * which eu-west is given none of: no ingress route leads to payment).
 */
export function paymentAccess(mesh: Mesh, payment: ServiceRef, edge: Identity[]): AccessRule {
  const gatewayOnly = mesh.kind === MeshKind.CONSUL || mesh.kind === MeshKind.LINKERD;
  return {
    name: 'payment-from-order',
    callers: [Identity.serviceAccount('order'), ...(gatewayOnly ? edge : [Identity.serviceAccount('api-gateway')])],
    to: payment,
    methods: [HttpMethod.POST],
    paths: [PathMatch.exact('/process-payment')],
  };
}

/** The meshes the shop is written for, with their output folder names. */
export const SHOP_MESHES: [string, Mesh][] = [
  ['istio', Mesh.istio()],
  ['istio-ambient', Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT })],
  ['linkerd', SHOP_LINKERD],
  ['consul', Mesh.consul()],
];

export function synthShop(outdir: string): void {
  for (const [folder, mesh] of SHOP_MESHES) {
    const app = new App({ outdir: path.join(outdir, folder), outputFileExtension: '.yaml' });
    new Shop(app, 'shop', { mesh });
    app.synth();
    // every step of the payment release as its own folder, for a GitOps promotion flow
    CanaryRelease.synthSteps(4, path.join(outdir, 'releases', 'payment-v2', folder), {
      buildStep: (stepApp, step) => new Shop(stepApp, 'shop', { mesh, releaseStep: step }),
    });
  }
  // payment v2 released by Flagger or Argo Rollouts: one folder each (the controller walks the steps)
  for (const [folder, mesh, delivery] of SHOP_DELIVERIES) {
    const app = new App({ outdir: path.join(outdir, folder), outputFileExtension: '.yaml' });
    new Shop(app, 'shop', { mesh, delivery });
    app.synth();
  }
}

/**
 * The shop on two clusters: us-west runs the whole shop (the Shop chart above); eu-west runs a
 * payment service too and exports it to us-west, which prefers its own payment service and fails
 * over to eu-west. Written to examples/dist/multicluster/<mesh>/: one file per cluster, each the
 * cluster's whole output. Each cluster's chart is passed to MultiClusterExport (`chart:`), so that the
 * failover goes into the one DestinationRule (Istio) or ServiceResolver (Consul) of payment that the
 * shop's patterns write: two objects with one name in one cluster would replace each other.
 */
export function synthMultiCluster(outdir: string): void {
  for (const mesh of [Mesh.istio(), SHOP_LINKERD, Mesh.consul()]) {
    const app = new App({ outdir: path.join(outdir, 'multicluster', mesh.kind), outputFileExtension: '.yaml' });
    // on Consul a service released in subsets cannot fail over to a peer (the peer target keeps the subset
    // filter, which the exporter's instances do not match): us-west runs payment v1 only there
    const usWest = new Shop(app, 'us-west', { mesh, release: mesh.kind !== MeshKind.CONSUL, failover: mesh.kind !== MeshKind.LINKERD });
    const euWest = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
    new kplus.Deployment(euWest, 'payment', {
      metadata: { name: 'payment' },
      podMetadata: { labels: { app: 'payment', version: 'v1' } },
      serviceAccount: new kplus.ServiceAccount(euWest, 'payment-sa', { metadata: { name: 'payment' } }),
      containers: [{ name: 'payment', image: 'ghcr.io/example/shop-payment:3.0.1', portNumber: 8080, securityContext: { user: 1000, group: 1000 } }],
    });
    const paymentEu = ServiceRef.fromService(new kplus.Service(euWest, 'payment-svc', {
      metadata: { name: 'payment' },
      ports: [{ port: 80, targetPort: 8080, name: 'http' }],
      selector: kplus.Pods.select(euWest, 'payment-pods', { labels: { app: 'payment' } }),
    }));
    // eu-west's payment is us-west's failover target: the same zero trust (STRICT mTLS, default deny, and
    // the same callers, method and path for payment), created before the export. On Istio the clusters
    // share a trust domain, so us-west's callers are these identities; on Consul the remote order of peer
    // us-west joins payment's ServiceIntentions with the same method and path, and every other caller,
    // local or of the peer, is denied. On Linkerd every client of eu-west's multicluster gateway (any meshed client
    // that reaches it, not only us-west's) arrives as the gateway, which gets the rule's method and path (not the
    // whole port; warned). MultiClusterExport warns when an
    // exporter's namespace has no zero trust.
    new ZeroTrustNamespace(euWest, 'zero-trust', {
      mesh,
      // Consul enrols the pod templates, not the Namespace (docs/enrolment.md)
      namespaceObject: mesh.kind === MeshKind.CONSUL ? undefined : new kplus.Namespace(euWest, 'namespace', { metadata: { name: 'shop' } }),
      mtls: MtlsPhase.STRICT,
      allow: [paymentAccess(mesh, paymentEu, [])],
    });
    // the shop's payment Service (in the us-west chart)
    const paymentUs = ServiceRef.fromName('payment', { namespace: 'shop', port: 80, targetPort: 8080 });
    const linkerd = mesh.kind === MeshKind.LINKERD;
    new MultiClusterExport(app, 'shop-multicluster', {
      mesh,
      clusters: [
        // on Linkerd, us-west calls the mirrored payment-eu-west Service (Linkerd has no locality failover)
        { name: 'us-west', chart: usWest, network: 'net-us-west', region: 'us-west1', services: linkerd ? [] : [paymentUs], gatewayAddress: 'mesh-gateway.us-west.example.com' },
        { name: 'eu-west', chart: euWest, network: 'net-eu-west', region: 'europe-west1', services: [paymentEu], gatewayAddress: 'mesh-gateway.eu-west.example.com' },
      ],
      exports: [{
        service: paymentEu, cluster: 'eu-west', consumers: ['us-west'],
        // Istio: remote callers are eu-west's zero-trust callers (one trust domain), with its method and path;
        // an export's callers would admit any method and path. Consul: remote callers come from the peer, and
        // the export authorizes them. Linkerd: they all arrive as the multicluster gateway, which the export's
        // own policy authorizes (callers cannot be narrowed there)
        callers: mesh.kind === MeshKind.CONSUL ? [Identity.serviceAccount('order', { namespace: 'shop' })] : undefined,
      }],
      failover: !linkerd,
    });
    app.synth();
  }
}

if (require.main === module) {
  synthShop(path.join(__dirname, '..', 'dist'));
  synthMultiCluster(path.join(__dirname, '..', 'dist'));
}

/**
 * The shop: a web front end, an order service, a payment service and a user service, written once
 * and synthesized for Istio, Linkerd and Consul into examples/dist/<mesh>/.
 *
 *   web ──> order ──> payment
 *    │        │
 *    └──> user <┘
 */
import * as path from 'path';
import { App, Chart, ChartProps, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  CircuitBreaker, HttpMethod, Mesh, MeshKind, PathMatch, ResilientService, RetryPolicy, ServiceRef, UnsupportedSettings,
} from '../../src';

/** The seed patterns' values: 3 s timeout, 3 retries of 1 s on 5xx/reset/connect-failure/refused-stream. */
const RETRIES: RetryPolicy = { attempts: 3, perTryTimeout: Duration.seconds(1) };
const TIMEOUT = Duration.seconds(3);
/** 5 consecutive errors, scanned every 30 s, ejected for 30 s, at most 50 % of the endpoints. */
const CIRCUIT_BREAKER: CircuitBreaker = {
  consecutiveErrors: 5, interval: Duration.seconds(30), ejectionTime: Duration.seconds(30), maxEjectionPercent: 50,
};

export interface ShopProps extends ChartProps {
  readonly mesh: Mesh;
}

export class Shop extends Chart {
  constructor(scope: Construct, id: string, props: ShopProps) {
    super(scope, id, { namespace: 'shop', disableResourceNameHashes: true, ...props });
    const { mesh } = props;
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
    const payment = service('payment', 'ghcr.io/example/shop-payment:3.0.1');
    const user = service('user', 'ghcr.io/example/shop-user:1.9.0');

    // Linkerd and Consul cannot express every setting of the seed values; the example keeps one
    // description for all meshes and lets each drop what it cannot express, visibly (warnings and a
    // cdk8s-mesh.io/dropped-settings annotation). A real app would pick FAIL and adjust per mesh.
    const unsupportedSettings = mesh.kind === MeshKind.ISTIO ? UnsupportedSettings.FAIL : UnsupportedSettings.DROP_WITH_WARNING;

    new ResilientService(this, 'order-resilience', {
      mesh, service: order, timeout: TIMEOUT, retries: RETRIES, circuitBreaker: CIRCUIT_BREAKER,
      // creating an order is not idempotent: never retried, and given more time
      routes: [{ name: 'create-order', match: { path: PathMatch.prefix('/orders'), methods: [HttpMethod.POST] }, timeout: Duration.seconds(5), noRetries: true }],
      callers: [web],
      unsupportedSettings,
    });
    new ResilientService(this, 'payment-resilience', {
      mesh, service: payment, timeout: TIMEOUT, retries: RETRIES, circuitBreaker: CIRCUIT_BREAKER,
      connectionPool: mesh.kind === MeshKind.LINKERD ? undefined : { maxConnections: 100, maxPendingRequests: 50, maxConcurrentRequests: 100 },
      callers: [order],
      unsupportedSettings,
    });
    new ResilientService(this, 'user-resilience', {
      mesh, service: user, timeout: TIMEOUT, retries: RETRIES, circuitBreaker: CIRCUIT_BREAKER,
      rateLimit: mesh.kind === MeshKind.CONSUL ? undefined : { requestsPerSecond: 200 },
      callers: [web, order],
      unsupportedSettings,
    });
  }
}

export function synthShop(outdir: string): void {
  for (const mesh of [Mesh.istio(), Mesh.linkerd(), Mesh.consul()]) {
    const app = new App({ outdir: path.join(outdir, mesh.kind), outputFileExtension: '.yaml' });
    new Shop(app, 'shop', { mesh });
    app.synth();
  }
}

if (require.main === module) {
  synthShop(path.join(__dirname, '..', 'dist'));
}

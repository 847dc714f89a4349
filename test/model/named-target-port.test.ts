import { ApiObject, App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { CanaryDelivery, CanaryRelease, HttpMethod, Identity, IstioDataPlane, Mesh, MtlsPhase, MultiClusterExport, ReleaseVersion, ServiceRef, ZeroTrustNamespace } from '../../src';
import { failureOf, one, shopChart, synthValidated } from '../util';

/**
 * A Service port whose targetPort is a container port name: the sidecar sees the pod port (the container port of
 * that name), so the AuthorizationPolicy must name it, never the Service port (istio
 * pilot/pkg/security/authz/model/generator.go, destination_port).
 */

const container = (ports: { number: number; name?: string }[]) => ({ name: 'api', image: 'x', ports, securityContext: { user: 1000, group: 1000 } });

function deployment(chart: Chart, id = 'api', ports: { number: number; name?: string }[] = [{ number: 8080, name: 'http' }], labels = { app: 'api' }) {
  return new kplus.Deployment(chart, id, { metadata: { name: id }, podMetadata: { labels }, containers: [container(ports)] });
}

function service(chart: Chart, targetPort: number | string | undefined = 'http') {
  return new kplus.Service(chart, 'svc', {
    metadata: { name: 'api' },
    ports: [{ port: 80, name: 'http', ...(targetPort === undefined ? {} : { targetPort: targetPort as any }) }],
    selector: kplus.Pods.select(chart, 'pods', { labels: { app: 'api' } }),
  });
}

function zeroTrust(chart: Chart, to: ServiceRef, mesh = Mesh.istio()) {
  return new ZeroTrustNamespace(chart, 'zt', { mesh, mtls: MtlsPhase.STRICT, allow: [{ callers: [Identity.serviceAccount('web')], to }] });
}

const allowPorts = (out: any[]) => one(out, 'AuthorizationPolicy', 'api-allow').spec.rules.map((r: any) => r.to?.[0]?.operation?.ports);

describe('a named targetPort is the pod port of the selected pods (Istio AuthorizationPolicy ports)', () => {
  test('cdk8s-plus Deployment and Service: port 80, targetPort http, containerPort http 8080 gives ports ["8080"]', () => {
    const chart = shopChart();
    deployment(chart);
    const ref = ServiceRef.fromService(service(chart));
    expect([ref.port, ref.targetPort]).toEqual([80, 8080]);
    zeroTrust(chart, ref);
    expect(allowPorts(synthValidated(chart))).toEqual([['8080']]);
  });

  test('a native sidecar\'s port (an init container with restartPolicy Always) counts after the containers\' ports, as Kubernetes FindPort looks; a UDP port of that name does not', () => {
    const chart = shopChart();
    const pod = (initContainers: object[], ports: object[] = []) => ({ containers: [{ name: 'app', image: 'x', ports }], initContainers });
    new ApiObject(chart, 'dep', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api' },
      spec: { selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: pod([{ name: 'proxy', image: 'p', restartPolicy: 'Always', ports: [{ name: 'http', containerPort: 9443 }] }], [{ name: 'http', containerPort: 53, protocol: 'UDP' }]) } },
    });
    const ref = ServiceRef.fromService(service(chart));
    zeroTrust(chart, ref);
    expect(allowPorts(synthValidated(chart))).toEqual([['9443']]);
    // an init container that is not a sidecar (no restartPolicy: Always) gives the Service no endpoint: refused
    const plain = shopChart();
    new ApiObject(plain, 'dep', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api' },
      spec: { selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: pod([{ name: 'setup', image: 'p', ports: [{ name: 'http', containerPort: 9443 }] }]) } },
    });
    zeroTrust(plain, ServiceRef.fromService(service(plain)));
    expect(() => Testing.synth(plain)).toThrow(/http/);
  });

  test('the workload (and its container) defined after the reference and the policy still count: read at synthesis', () => {
    const chart = shopChart();
    const ref = ServiceRef.fromService(service(chart));
    zeroTrust(chart, ref);
    const d = new kplus.Deployment(chart, 'api', { metadata: { name: 'api' }, podMetadata: { labels: { app: 'api' } } });
    d.addContainer(container([{ number: 9000, name: 'admin' }, { number: 8443, name: 'http' }]));
    expect(allowPorts(synthValidated(chart))).toEqual([['8443']]);
  });

  test('ServiceRef.fromDeployment: the Deployment\'s container port of that name; another workload the Service selects must agree', () => {
    const chart = shopChart();
    const d = deployment(chart, 'api', [{ number: 7000, name: 'http' }]);
    service(chart);
    // a workload the Service does not select does not count
    deployment(chart, 'other', [{ number: 7001, name: 'http' }], { app: 'other' });
    const ref = ServiceRef.fromDeployment(d);
    zeroTrust(chart, ref);
    expect([ref.name, ref.port, ref.targetPort]).toEqual(['api', 80, 7000]);
    expect(allowPorts(synthValidated(chart))).toEqual([['7000']]);
    // one it selects (a canary's, whose pods the policy's selector selects too) that gives the name another number
    deployment(chart, 'api-canary', [{ number: 7002, name: 'http' }], { app: 'api', track: 'canary' } as any);
    expect(() => Testing.synth(chart)).toThrow(/give it different numbers: Deployment api \[test\/api\] 7000, Deployment api-canary \[test\/api-canary\] 7002/);
  });

  test('plain ApiObject Service and Deployment', () => {
    const chart = shopChart();
    const svc = new ApiObject(chart, 'svc', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'api' },
      spec: { selector: { app: 'api' }, ports: [{ name: 'http', port: 80, targetPort: 'web' }] },
    });
    const ref = ServiceRef.fromService(svc);
    zeroTrust(chart, ref);
    new ApiObject(chart, 'deploy', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api' },
      spec: {
        selector: { matchLabels: { app: 'api' } },
        template: { metadata: { labels: { app: 'api', tier: 'x' } }, spec: { containers: [{ name: 'a', image: 'x', ports: [{ name: 'web', containerPort: 8081 }] }] } },
      },
    });
    expect(allowPorts(Testing.synth(chart))).toEqual([['8081']]);
  });

  test('a numeric targetPort is the pod port as before; no targetPort is the port', () => {
    const numeric = shopChart();
    deployment(numeric);
    zeroTrust(numeric, ServiceRef.fromService(service(numeric, 8080)));
    expect(allowPorts(synthValidated(numeric))).toEqual([['8080']]);
    const none = shopChart();
    deployment(none, 'api', [{ number: 80, name: 'http' }]);
    const ref = ServiceRef.fromService(service(none, undefined));
    zeroTrust(none, ref);
    expect(ref.targetPort).toBe(80);
    expect(allowPorts(synthValidated(none))).toEqual([['80']]);
  });

  test('the explicit targetPort option is a port: 1 and 65535 accepted, 0 and 65536 refused', () => {
    const chart = shopChart();
    const svc = service(chart);
    for (const targetPort of [1, 65535]) expect(ServiceRef.fromService(svc, { targetPort })._problems('to')).toEqual([]);
    for (const targetPort of [0, 65536]) {
      expect(ServiceRef.fromService(svc, { targetPort })._problems('to')).toEqual([expect.stringMatching(new RegExp(`^to\\.targetPort: got ${targetPort}: a port must be a whole number from 1 to 65535; `))]);
    }
  });

  test('the explicit targetPort option wins over the Service\'s name (pods defined outside the app)', () => {
    const chart = shopChart();
    zeroTrust(chart, ServiceRef.fromService(service(chart), { targetPort: 8080 }));
    expect(allowPorts(synthValidated(chart))).toEqual([['8080']]);
  });
});

describe('a named targetPort that cannot be resolved is refused at synthesis, never written as the Service port', () => {
  const PREFIX = /ServiceRef api: the Service port 80 has targetPort "http", a container port name, and the mesh configuration needs the pod port number \(written by \[test\/zt\]\)/;
  const FIX = 'pass ServiceRef.fromService(service, { targetPort: <the containerPort of "http"> }), or define the Deployment with a container port named "http" whose pods the Service selects';

  test('no workload of the app selected', () => {
    const message = failureOf(chart => {
      deployment(chart, 'other', [{ number: 8080, name: 'http' }], { app: 'other' });
      zeroTrust(chart, ServiceRef.fromService(service(chart)));
    });
    expect(message).toMatch(PREFIX);
    expect(message).toContain('[test/svc]');
    expect(message).toContain('no Deployment, StatefulSet or DaemonSet of the app in namespace shop has pods the Service\'s selector {"app":"api"} selects');
    expect(message).toContain(FIX);
  });

  test('the selected workload has no container port of that name', () => {
    const message = failureOf(chart => {
      deployment(chart, 'api', [{ number: 8080, name: 'web' }]);
      zeroTrust(chart, ServiceRef.fromService(service(chart)));
    });
    expect(message).toMatch(PREFIX);
    expect(message).toContain('Deployment api [test/api] has no container port named "http"');
  });

  test('two selected workloads that give the name different numbers; the same number is accepted', () => {
    const message = failureOf(chart => {
      deployment(chart, 'api', [{ number: 8080, name: 'http' }]);
      deployment(chart, 'api-v2', [{ number: 9090, name: 'http' }]);
      zeroTrust(chart, ServiceRef.fromService(service(chart)));
    });
    expect(message).toMatch(PREFIX);
    expect(message).toContain('the workloads the Service selects give it different numbers: Deployment api [test/api] 8080, Deployment api-v2 [test/api-v2] 9090');
    const chart = shopChart();
    deployment(chart, 'api', [{ number: 8080, name: 'http' }]);
    deployment(chart, 'api-v2', [{ number: 8080, name: 'http' }]);
    zeroTrust(chart, ServiceRef.fromService(service(chart)));
    expect(allowPorts(synthValidated(chart))).toEqual([['8080']]);
  });

  test('a reference that nothing reads the pod port of is not refused', () => {
    const chart = shopChart();
    ServiceRef.fromService(service(chart));
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test('Linkerd: its Server is written when the policy is made, so a workload defined after it is refused, naming the value read', () => {
    const message = failureOf(chart => {
      const ref = ServiceRef.fromService(service(chart));
      zeroTrust(chart, ref, Mesh.linkerd());
      deployment(chart);
    });
    expect(message).toContain('it resolves to 8080 at synthesis, but it was read as 80 (unresolved) earlier');
    // defined before: the Server is for the container port
    const chart = shopChart();
    deployment(chart);
    zeroTrust(chart, ServiceRef.fromService(service(chart)), Mesh.linkerd());
    const servers = synthValidated(chart).filter(o => o.kind === 'Server' && o.metadata.name !== 'proxy-admin');
    expect(servers.map(s => [s.metadata.name, s.spec.port])).toEqual([['api-8080', 8080]]);
  });
});

describe('Istio MultiClusterExport: the remote callers\' policy is for the pod port', () => {
  function setup(withWorkload: boolean) {
    const app = new App({ outdir: Testing.app().outdir });
    const eu = new Chart(app, 'eu', { namespace: 'shop', disableResourceNameHashes: true });
    const ref = ServiceRef.fromService(service(eu));
    const mc = new MultiClusterExport(app, 'mc', {
      mesh: Mesh.istio(),
      clusters: [
        { name: 'us-west', network: 'n1', region: 'r1', services: [], gatewayAddress: 'gw.us.example.com' },
        { name: 'eu-west', network: 'n2', region: 'r2', services: [ref], gatewayAddress: '203.0.113.10', chart: eu },
      ],
      exports: [{ service: ref, cluster: 'eu-west', consumers: ['us-west'], callers: [Identity.serviceAccount('order')] }],
    });
    if (withWorkload) deployment(eu, 'api', [{ number: 8088, name: 'http' }]);
    return { mc, eu };
  }

  test('resolved through the workload defined after the export', () => {
    const { eu } = setup(true);
    expect(one(Testing.synth(eu), 'AuthorizationPolicy', 'api-remote-callers').spec.rules[0].to).toEqual([{ operation: { ports: ['8088'] } }]);
  });

  test('refused when no workload is there', () => {
    const { eu } = setup(false);
    expect(() => Testing.synth(eu)).toThrow(/ServiceRef api: the Service port 80 has targetPort "http", a container port name, .*\(written by \[eu\/RemoteCallers-api\]\).*no Deployment, StatefulSet or DaemonSet/);
  });
});

describe('Istio ambient waypoint: the ports of the other Services that select the pods', () => {
  test('a named targetPort of another Service counts only if it names the same pod port', () => {
    const chart = shopChart();
    new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop' } });
    deployment(chart, 'api', [{ number: 8080, name: 'http' }, { number: 9090, name: 'metrics' }]);
    const ref = ServiceRef.fromService(service(chart));
    new kplus.Service(chart, 'extra', {
      metadata: { name: 'api-extra' },
      ports: [{ port: 81, name: 'http', targetPort: 'http' as any }, { port: 9091, name: 'metrics', targetPort: 'metrics' as any }, { port: 9092, name: 'none', targetPort: 'none' as any }],
      selector: kplus.Pods.select(chart, 'extra-pods', { labels: { app: 'api' } }),
    });
    new ZeroTrustNamespace(chart, 'zt', {
      mesh: Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }),
      allow: [{ callers: [Identity.serviceAccount('web')], to: ref, methods: [HttpMethod.POST] }],
    });
    const allow = one(synthValidated(chart), 'AuthorizationPolicy', 'api-allow').spec;
    expect(allow.targetRefs.map((t: any) => t.name)).toEqual(['api', 'api-extra']);
    // the waypoint sees the Service ports: api's 80, and api-extra's 81 (to http), not 9091 (to metrics) nor 9092 (a
    // name no pod has: no endpoint)
    expect(allow.rules[0].to[0].operation.ports).toEqual(['80', '81']);
  });

  test('pods outside the app (an explicit targetPort): another Service\'s named ports are all kept, as they may forward to it', () => {
    const chart = shopChart();
    new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop' } });
    const ref = ServiceRef.fromService(service(chart), { targetPort: 8080 });
    new kplus.Service(chart, 'extra', {
      metadata: { name: 'api-extra' },
      ports: [{ port: 81, name: 'http', targetPort: 'http' as any }, { port: 9091, name: 'metrics', targetPort: 'metrics' as any }, { port: 9093, name: 'num', targetPort: 9093 }],
      selector: kplus.Pods.select(chart, 'extra-pods', { labels: { app: 'api' } }),
    });
    new ZeroTrustNamespace(chart, 'zt', {
      mesh: Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }),
      allow: [{ callers: [Identity.serviceAccount('web')], to: ref, methods: [HttpMethod.POST] }],
    });
    expect(one(synthValidated(chart), 'AuthorizationPolicy', 'api-allow').spec.rules[0].to[0].operation.ports).toEqual(['80', '81', '9091']);
  });
});

describe('the Services the library writes in front of the same pods keep the name (Kubernetes resolves it for each pod)', () => {
  test('a CanaryRelease\'s per-version Services (Gateway API backends)', () => {
    const chart = shopChart();
    new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop' } });
    deployment(chart);
    const ref = ServiceRef.fromService(service(chart));
    new CanaryRelease(chart, 'release', { mesh: Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }), service: ref, stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 10, healthAlert: {} });
    const out = synthValidated(chart);
    for (const v of ['api-v1', 'api-v2']) expect(one(out, 'Service', v).spec.ports).toEqual([{ port: 80, targetPort: 'http', name: 'http' }]);
  });

  // (Flagger refuses a ServiceRef.fromService, whose Service it generates itself: a fromName reference has a numeric targetPort)
  test('Argo Rollouts\' stable and canary Services', () => {
    const chart = shopChart();
    const d = deployment(chart);
    const ref = ServiceRef.fromService(service(chart));
    new CanaryRelease(chart, 'release', {
      mesh: Mesh.istio(),
      service: ref,
      delivery: CanaryDelivery.argoRollouts({ workload: d }),
      steps: [{ weight: 50, pause: Duration.minutes(1) }, { weight: 100 }],
      healthAlert: {},
    });
    const out = synthValidated(chart);
    for (const s of ['api-stable', 'api-canary']) expect(one(out, 'Service', s).spec.ports).toEqual([{ port: 80, targetPort: 'http', name: 'http' }]);
  });
});

import { ApiObject, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Identity, LinkerdInboundPolicy, Mesh, MtlsPhase, ResilientService, ServiceRef, ZeroTrustNamespace } from '../../../src';
import { captureStderr, ofKind, shopChart, synthValidated } from '../../util';

captureStderr();

const KEY = 'config.linkerd.io/default-inbound-policy';
const payment = () => ServiceRef.fromName('payment', { port: 80, targetPort: 8080, selector: { app: 'payment' } });

/** A Deployment of namespace shop whose pods carry `annotations`, as hand-written YAML (an ApiObject). */
function deployment(chart: Chart, name: string, annotations: { [k: string]: unknown } = {}, namespace?: string): ApiObject {
  return new ApiObject(chart, `deploy-${name}`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(namespace ? { namespace } : {}) },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name }, annotations }, spec: { containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }] }] } },
    },
  });
}

// Linkerd reads a pod's own config.linkerd.io/default-inbound-policy before its namespace's (pkg/inject/inject.go
// GetConfigOverride; policy-controller inbound workload.rs): a ZeroTrustNamespace's deny does not hold for such pods
describe('linkerd ZeroTrustNamespace (STRICT): a workload whose pod template has its own default inbound policy is warned of', () => {
  const fix = (name: string) => `remove ${KEY} from Deployment ${name}'s pod template (or set it to deny, the zero-trust default), and restart its pods (the policy is read when the proxy is injected)`;

  test('all-unauthenticated: warned, naming the workload, the annotation and the fix; a rate limit\'s Server over its pods is all-unauthenticated (as Linkerd runs them)', () => {
    const chart = shopChart();
    deployment(chart, 'payment', { [KEY]: 'all-unauthenticated' });
    const zt = new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd(), allow: [{ callers: [Identity.serviceAccount('web')], to: ServiceRef.fromName('order', { port: 80, targetPort: 8080 }) }] });
    new ResilientService(chart, 'limited', { mesh: Mesh.linkerd(), service: payment(), timeout: Duration.seconds(2), rateLimit: { requestsPerSecond: 100 } });
    const out = synthValidated(chart);
    expect(ofKind(out, 'Server', 'payment-8080').map(s => s.spec.accessPolicy)).toEqual(['all-unauthenticated']);
    expect(zt.warnings).toEqual([
      `Deployment payment [test/deploy-payment]: its pod template has ${KEY}: "all-unauthenticated", which Linkerd reads before the namespace's deny that this ZeroTrustNamespace sets `
      + '(the proxy injector copies the namespace\'s annotation only onto pods without their own: pkg/inject/inject.go GetConfigOverride), so its pods run with all-unauthenticated on every port no Server selects, '
      + 'whatever the rules here allow, and a Server the library writes for them outside these rules (e.g. a rate limit\'s) takes that as its accessPolicy; '
      + fix('payment'),
    ]);
    // once, however often the app is synthesized
    synthValidated(chart);
    expect(zt.warnings).toHaveLength(1);
  });

  test('a workload defined after the ZeroTrustNamespace (cdk8s-plus) is read too; other allow values are warned of as well', () => {
    const chart = shopChart();
    const zt = new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd(), allow: [] });
    const d = new kplus.Deployment(chart, 'cart', { metadata: { name: 'cart' }, containers: [{ image: 'app:1', portNumber: 8080 }] });
    d.podMetadata.addAnnotation(KEY, 'cluster-authenticated');
    synthValidated(chart);
    expect(zt.warnings).toEqual([expect.stringMatching(/^Deployment cart \[test\/cart\]: its pod template has config.linkerd.io\/default-inbound-policy: "cluster-authenticated", .* pods run with cluster-authenticated on every port/)]);
  });

  test('a value Linkerd cannot parse: the pods run with the cluster\'s default, named', () => {
    const chart = shopChart();
    deployment(chart, 'payment', { [KEY]: 'nobody' });
    const zt = new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd({ defaultInboundPolicy: LinkerdInboundPolicy.ALL_AUTHENTICATED }), allow: [] });
    synthValidated(chart);
    expect(zt.warnings).toEqual([expect.stringContaining('its pod template has config.linkerd.io/default-inbound-policy: "nobody", which Linkerd reads before the namespace\'s deny that this ZeroTrustNamespace sets '
      + '(the proxy injector copies the namespace\'s annotation only onto pods without their own: pkg/inject/inject.go GetConfigOverride), so its pods run with the cluster\'s default inbound policy (all-authenticated: Linkerd ignores a value it cannot parse) on every port')]);
  });

  test('not warned: deny, no annotation, another namespace, or PERMISSIVE (audit admits every caller already)', () => {
    for (const [annotations, namespace, phase] of [[{ [KEY]: 'deny' }, undefined, MtlsPhase.STRICT], [{}, undefined, MtlsPhase.STRICT], [{ [KEY]: 'all-unauthenticated' }, 'billing', MtlsPhase.STRICT],
      [{ [KEY]: 'all-unauthenticated' }, undefined, MtlsPhase.PERMISSIVE]] as const) {
      const chart = shopChart();
      deployment(chart, 'payment', annotations, namespace);
      const zt = new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd(), mtls: phase, allow: [] });
      synthValidated(chart);
      expect(zt.warnings.filter(w => w.includes(KEY))).toEqual([]);
    }
  });
});

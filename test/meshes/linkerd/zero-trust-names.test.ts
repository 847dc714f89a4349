import { Identity, Mesh, MtlsExceptionMode, PathMatch, ServiceProtocol, ServiceRef, ZeroTrustNamespace } from '../../../src';
import { shopChart, synthValidated } from '../../util';

// a Linkerd rule's name is the name of its authentications, AuthorizationPolicies and route (zero-trust.ts
// authentications, authorize, render); the library writes objects of its own next to them (allowScrapes, the
// Server's catch-all, shared and probe routes): a rule named like one of those is refused at construction
describe('linkerd ZeroTrustNamespace: a rule named like an object the library writes itself is refused', () => {
  const payment = (targetPort = 8080) => ServiceRef.fromName('payment', { port: 80, targetPort, protocol: ServiceProtocol.GRPC, selector: { app: 'payment' } });
  const order = ServiceRef.fromName('order', { port: 80, targetPort: 8080 });
  const exceptions = [{ service: payment(), port: 8080, mode: MtlsExceptionMode.PERMISSIVE, reason: 'kubelet gRPC probes' }];
  const kubeletRule = (name: string, to = payment()) => ({ name, callers: [Identity.network('10.0.0.0/16')], to });
  const build = (allow: any[], mtlsExceptions: any[] = exceptions) => {
    const chart = shopChart();
    new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd(), allow, mtlsExceptions });
    return synthValidated(chart);
  };
  const RESERVED = 'kubelet, prometheus-scrape, prometheus-scrape-operator, proxy-admin, proxy-metrics, proxy-probes, payment-default, payment-probes, payment-shared-<n>[-...], <rule>-network';

  test('kubelet (the NetworkAuthentication of the kubelet\'s probes): refused, naming the construct path, the prop, the value and the names to avoid', () => {
    expect(() => build([kubeletRule('kubelet')])).toThrow(
      '[test/zero-trust] allow[0].name: got "kubelet": on Linkerd a rule\'s name is the name of its authentications, AuthorizationPolicies and route, and kubelet is the name the library gives '
      + 'an object of the namespace\'s proxy-admin authorization (the kubelet\'s probes and Prometheus\'s scrapes of the proxies), in the same namespace; '
      + `give the rule another name; the library's own names here are ${RESERVED}`);
  });

  test('the other fixed names, the Server\'s routes (with the port when the service has rules on several ports) and <rule>-network of a mixed rule: refused', () => {
    for (const name of ['proxy-probes', 'proxy-metrics', 'prometheus-scrape', 'prometheus-scrape-operator', 'proxy-admin', 'payment-default', 'payment-probes', 'payment-shared-1', 'payment-shared-2-x']) {
      expect(() => build([kubeletRule(name)])).toThrow(`allow[0].name: got "${name}"`);
    }
    expect(() => build([kubeletRule('probes', payment()), kubeletRule('payment-9090-default', payment(9090))], [...exceptions, { ...exceptions[0], service: payment(9090), port: 9090 }]))
      .toThrow('allow[1].name: got "payment-9090-default": on Linkerd a rule\'s name is the name of its authentications, AuthorizationPolicies and route, and payment-9090-default is the name the library gives a route (or its policy) of payment-9090\'s Server');
    const mixed = { name: 'edge', callers: [Identity.serviceAccount('web'), Identity.network('10.0.0.0/16')], to: payment() };
    expect(() => build([mixed, kubeletRule('edge-network')])).toThrow('allow[1].name: got "edge-network": on Linkerd a rule\'s name is the name of its authentications, AuthorizationPolicies and route, '
      + 'and edge-network is the name the library gives the NetworkAuthentication and AuthorizationPolicy of the network callers of rule edge');
  });

  test('accepted: the suggested payment-grpc-probes, names near the reserved ones, another service\'s route names, <rule>-network of a rule without meshed callers', () => {
    const out = build([kubeletRule('payment-grpc-probes'), kubeletRule('kubelets'), kubeletRule('payment-shared'), kubeletRule('payment-shared-x'), kubeletRule('order-default'),
      { name: 'web', callers: [Identity.network('10.1.0.0/16')], to: payment() }, kubeletRule('web-network')]);
    expect(out.filter(o => o.kind === 'NetworkAuthentication').map(o => o.metadata.name).sort())
      .toEqual(['kubelet', 'kubelets', 'order-default', 'payment-grpc-probes', 'payment-shared', 'payment-shared-x', 'web', 'web-network']);
    // a service that has no rules here has no reserved route names
    expect(() => build([{ name: 'x', callers: [Identity.serviceAccount('web')], to: order, paths: [PathMatch.prefix('/a')] }, kubeletRule('order-probes-2')])).not.toThrow();
  });
});

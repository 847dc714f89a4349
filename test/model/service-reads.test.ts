import { ApiObject, Chart, JsonPatch, Lazy } from 'cdk8s';
import * as plus28 from 'cdk8s-plus-28';
import * as plus33 from 'cdk8s-plus-33';
import { Identity, Mesh, ServiceRef, ZeroTrustNamespace } from '../../src';
import { captureStderr, ofKind, shopChart, synthValidated } from '../util';

/**
 * Issue 26: ServiceRef.fromService reads the Service's selector and ports from the object it synthesizes,
 * rendered again only when the Service has changed (it was rendered on every read). A change the user
 * makes to the Service after the reference is made is still seen, for every kind of Service object.
 */
captureStderr();

type Plus = typeof plus28 | typeof plus33;
const PLUS: [string, Plus][] = [['cdk8s-plus-28', plus28], ['cdk8s-plus-33', plus33]];

function plusService(kplus: Plus, chart: Chart): any {
  return new kplus.Service(chart, 'svc', {
    metadata: { name: 'payment' },
    ports: [{ port: 80, targetPort: 8080 }],
    selector: (kplus.Pods as any).select(chart, 'pods', { labels: { app: 'payment' } }),
  });
}

function rendersOf(api: ApiObject): () => number {
  let n = 0;
  const original = api.toJson.bind(api);
  api.toJson = () => { n++; return original(); };
  return () => n;
}

describe.each(PLUS)('%s Service', (_name, kplus) => {
  test('the Service is rendered once for many reads while it does not change', () => {
    const chart = shopChart();
    const svc = plusService(kplus, chart);
    const renders = rendersOf(svc.apiObject ?? (svc.node.defaultChild as ApiObject));
    const ref = ServiceRef.fromService(svc);
    for (let i = 0; i < 10; i++) expect(ref.selector).toEqual({ app: 'payment' });
    expect(renders()).toBe(1);
    svc.selectLabel('tier', 'api');
    for (let i = 0; i < 10; i++) expect(ref.selector).toEqual({ app: 'payment', tier: 'api' });
    expect(renders()).toBe(2);
  });

  test('a label the user selects after the reference is read (selectLabel, select) is seen, in the reference and the output', () => {
    const chart = shopChart();
    const svc = plusService(kplus, chart);
    const ref = ServiceRef.fromService(svc);
    expect(ref.selector).toEqual({ app: 'payment' });
    svc.selectLabel('tier', 'api');
    expect(ref.selector).toEqual({ app: 'payment', tier: 'api' });
    svc.select((kplus.Pods as any).select(chart, 'more', { labels: { track: 'stable' } }));
    expect(ref.selector).toEqual({ app: 'payment', tier: 'api', track: 'stable' });
    new ZeroTrustNamespace(chart, 'zt', { mesh: Mesh.istio(), allow: [{ callers: [Identity.serviceAccount('web')], to: ref }] });
    const policy = ofKind(synthValidated(chart), 'AuthorizationPolicy').find((p: any) => p.spec?.selector);
    expect(policy.spec.selector.matchLabels).toEqual({ app: 'payment', tier: 'api', track: 'stable' });
  });

  test('a port the user binds after a first reference is found by a later one (with its target port)', () => {
    const chart = shopChart();
    const svc = plusService(kplus, chart);
    expect(ServiceRef.fromService(svc).port).toBe(80);
    svc.bind(9090, { name: 'admin', targetPort: 9091 });
    const admin = ServiceRef.fromService(svc, { port: 9090 });
    expect([admin.port, admin.targetPort, admin.portName]).toEqual([9090, 9091, 'admin']);
  });

  test('a JSON patch the user adds to the Service object after the reference is read is seen', () => {
    const chart = shopChart();
    const svc = plusService(kplus, chart);
    const ref = ServiceRef.fromService(svc);
    expect(ref.selector).toEqual({ app: 'payment' });
    (svc.apiObject ?? svc.node.defaultChild).addJsonPatch(JsonPatch.replace('/spec/selector/app', 'payments'));
    expect(ref.selector).toEqual({ app: 'payments' });
  });
});

describe('KubeService and ApiObject', () => {
  test('a KubeService whose spec the user changes in place after the reference is read: seen', () => {
    const chart = shopChart();
    const spec = { selector: { app: 'payment' } as { [k: string]: string }, ports: [{ port: 80 }] };
    const svc = new plus33.k8s.KubeService(chart, 'svc', { metadata: { name: 'payment' }, spec });
    const ref = ServiceRef.fromService(svc);
    expect(ref.selector).toEqual({ app: 'payment' });
    spec.selector.tier = 'api';
    expect(ref.selector).toEqual({ app: 'payment', tier: 'api' });
    spec.ports.push({ port: 9090 });
    expect(ServiceRef.fromService(svc, { port: 9090 }).port).toBe(9090);
    const renders = rendersOf(svc);
    for (let i = 0; i < 5; i++) expect(ref.selector).toEqual({ app: 'payment', tier: 'api' });
    expect(renders()).toBe(0); // rendered already for these contents
  });

  test('an ApiObject whose spec is a Lazy (not a cdk8s-plus Service): read by rendering, every time', () => {
    const chart = shopChart();
    let labels: { [k: string]: string } = { app: 'payment' };
    const svc = new ApiObject(chart, 'svc', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'payment' },
      spec: Lazy.any({ produce: () => ({ selector: labels, ports: [{ port: 80 }] }) }),
    });
    const ref = ServiceRef.fromService(svc);
    expect(ref.selector).toEqual({ app: 'payment' });
    labels = { app: 'payment', tier: 'api' };
    expect(ref.selector).toEqual({ app: 'payment', tier: 'api' });
  });

  test('an ApiObject with a plain spec and a JSON patch added later: seen', () => {
    const chart = shopChart();
    const svc = new ApiObject(chart, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'payment' }, spec: { selector: { app: 'payment' }, ports: [{ port: 80 }] } });
    const ref = ServiceRef.fromService(svc);
    expect(ref.selector).toEqual({ app: 'payment' });
    svc.addJsonPatch(JsonPatch.add('/spec/selector/tier', 'api'));
    expect(ref.selector).toEqual({ app: 'payment', tier: 'api' });
  });
});

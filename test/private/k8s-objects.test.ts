import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  apiObjectOf, describeObject, findNamespaceObject, isKind, namespaceObjectOf, namespaceOfObject, newNamespaceObject, patchMapEntry,
  PodTemplate, requireObject, serviceSpecOf, servicesOf, servicesSelecting, userPath,
} from '../../src/private/k8s-objects';

const deployment = (scope: Construct, id: string, spec: any = {}, metadata: any = { name: id }) =>
  new ApiObject(scope, id, { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec });
const service = (scope: Construct, id: string, spec: any, metadata: any = { name: id }) =>
  new ApiObject(scope, id, { apiVersion: 'v1', kind: 'Service', metadata, spec });

describe('private/k8s-objects: apiObjectOf, isKind', () => {
  test('the object itself, or a wrapper\'s default child; undefined for anything else (not a TypeError)', () => {
    const chart = Testing.chart();
    const api = deployment(chart, 'd');
    expect(apiObjectOf(api)).toBe(api);
    const kd = new kplus.Deployment(chart, 'kd', { containers: [{ image: 'app' }] });
    expect(apiObjectOf(kd)).toBe(ApiObject.of(kd));
    for (const v of [undefined, null, 'x', 3, {}, new Construct(chart, 'plain'), { node: { get defaultChild() { throw new Error('no'); } } }]) {
      expect(apiObjectOf(v)).toBeUndefined();
    }
  });

  test('isKind: the kind, and the apiVersion when given', () => {
    const api = deployment(Testing.chart(), 'd');
    expect(isKind(api, ['Deployment', 'StatefulSet'])).toBe(true);
    expect(isKind(api, ['Deployment'], 'apps/v1')).toBe(true);
    expect(isKind(api, ['Deployment'], 'extensions/v1beta1')).toBe(false);
    expect(isKind(api, ['StatefulSet'])).toBe(false);
    expect(isKind('d', ['Deployment'])).toBe(false);
  });
});

describe('private/k8s-objects: namespaceOfObject, userPath, describeObject', () => {
  test('the object\'s namespace, else its chart\'s, else undefined', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    expect(namespaceOfObject(deployment(chart, 'a', {}, { name: 'a', namespace: 'web' }))).toBe('web');
    expect(namespaceOfObject(deployment(chart, 'b'))).toBe('shop');
    expect(namespaceOfObject(deployment(new Chart(Testing.app(), 'plain'), 'c'))).toBeUndefined();
  });

  test('the wrapper\'s path for a default child, the object\'s own otherwise', () => {
    const chart = Testing.chart();
    const kd = new kplus.Deployment(chart, 'kd', { containers: [{ image: 'app' }] });
    expect(userPath(ApiObject.of(kd))).toBe('test/kd');
    expect(userPath(deployment(chart, 'd'))).toBe('test/d');
    const wrapper = new Construct(chart, 'w');
    const child = deployment(wrapper, 'inner');
    expect(userPath(child)).toBe('test/w/inner');
  });

  test('an object by apiVersion, kind, name and path; a construct by path; any other value shown', () => {
    const chart = Testing.chart();
    expect(describeObject(deployment(chart, 'd', {}, { name: 'order' }))).toBe('apps/v1 Deployment order [test/d]');
    expect(describeObject(new Construct(chart, 'plain'))).toBe('[test/plain] (not a Kubernetes object)');
    expect(describeObject('order')).toBe('"order"');
    expect(describeObject(undefined)).toBe('undefined');
  });
});

describe('private/k8s-objects: requireObject', () => {
  test('the object when kind and apiVersion match', () => {
    const api = service(Testing.chart(), 's', { ports: [{ port: 80 }] });
    expect(requireObject(api, ['Service'], 'v1', 'service', 'pass a Service')).toBe(api);
  });

  test('another kind, another apiVersion or a plain construct is refused, naming what was given and the fix', () => {
    const chart = Testing.chart();
    expect(() => requireObject(deployment(chart, 'd', {}, { name: 'order' }), ['Service'], 'v1', 'P.service', 'pass a Service'))
      .toThrow(new Error('P.service: got apps/v1 Deployment order [test/d]: expected an object that synthesizes v1 Service '
        + '(a cdk8s-plus Service of any cdk8s-plus 2.x package, an imported KubeService or an ApiObject); pass a Service'));
    const wrongVersion = new ApiObject(chart, 'x', { apiVersion: 'v2', kind: 'Service', metadata: { name: 'x' } });
    expect(() => requireObject(wrongVersion, ['Service'], 'v1', 'p', 'fix')).toThrow(/^p: got v2 Service x \[test\/x\]: expected an object that synthesizes v1 Service /);
    expect(() => requireObject(new Construct(chart, 'c'), ['Deployment', 'StatefulSet'], 'apps/v1', 'p', 'fix'))
      .toThrow(/^p: got \[test\/c\] \(not a Kubernetes object\): expected an object that synthesizes apps\/v1 Deployment or StatefulSet \(a cdk8s-plus Deployment /);
  });
});

describe('private/k8s-objects: patchMapEntry', () => {
  test('adds the entry to an existing map', () => {
    const api = deployment(Testing.chart(), 'd', { template: { metadata: { labels: { app: 'x' } } } });
    patchMapEntry(api, ['spec', 'template', 'metadata', 'labels'], 'version', 'v1');
    expect(api.toJson().spec.template.metadata.labels).toEqual({ app: 'x', version: 'v1' });
  });

  test('adds the missing parents at the first missing one; escapes / and ~ in keys', () => {
    const api = deployment(Testing.chart(), 'd', { template: {} });
    patchMapEntry(api, ['spec', 'template', 'metadata', 'annotations'], 'a/b~c', 'on');
    expect(api.toJson().spec.template).toEqual({ metadata: { annotations: { 'a/b~c': 'on' } } });
    patchMapEntry(api, ['spec', 'template', 'metadata', 'annotations'], 'x.io/y', 'z');
    expect(api.toJson().spec.template.metadata.annotations).toEqual({ 'a/b~c': 'on', 'x.io/y': 'z' });
    const bare = new ApiObject(Testing.chart(), 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
    patchMapEntry(bare, ['data'], 'k', 'v');
    expect(bare.toJson().data).toEqual({ k: 'v' });
  });
});

describe('private/k8s-objects: PodTemplate', () => {
  test('only for Deployment, StatefulSet and DaemonSet of an apps/ apiVersion', () => {
    const chart = Testing.chart();
    expect(PodTemplate.of(deployment(chart, 'd'))).toBeDefined();
    for (const kind of ['StatefulSet', 'DaemonSet']) expect(PodTemplate.of(new ApiObject(chart, kind, { apiVersion: 'apps/v1', kind, metadata: { name: 'x' } }))).toBeDefined();
    expect(PodTemplate.of(new ApiObject(chart, 'job', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'x' } }))).toBeUndefined();
    expect(PodTemplate.of(new ApiObject(chart, 'old', { apiVersion: 'extensions/v1beta1', kind: 'Deployment', metadata: { name: 'x' } }))).toBeUndefined();
    expect(PodTemplate.of(service(chart, 's', {}))).toBeUndefined();
    expect(PodTemplate.of(undefined)).toBeUndefined();
  });

  test('reads a plain object\'s template; empty values when not written', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const pods = PodTemplate.of(deployment(chart, 'd', {
      replicas: 3,
      selector: { matchLabels: { app: 'order' } },
      template: {
        metadata: { labels: { app: 'order' }, annotations: { a: 'b' } },
        spec: {
          automountServiceAccountToken: false,
          containers: [{ ports: [{ containerPort: 8080 }, { containerPort: 9090 }] }, {}, { ports: [{ containerPort: 7070 }] }],
        },
      },
    }, { name: 'order' }))!;
    expect([pods.name, pods.namespace, pods.replicas(), pods.labels(), pods.annotations(), pods.matchLabels(), pods.containerPorts(),
      pods.automountServiceAccountToken()]).toEqual(['order', 'shop', 3, { app: 'order' }, { a: 'b' }, { app: 'order' }, [8080, 9090, 7070], false]);
    const empty = PodTemplate.of(deployment(Testing.chart(), 'e'))!;
    expect([empty.replicas(), empty.labels(), empty.annotations(), empty.matchLabels(), empty.containerPorts(), empty.automountServiceAccountToken()])
      .toEqual([undefined, {}, {}, {}, [], undefined]);
  });

  test('writes a plain object with patches, a cdk8s-plus workload through its podMetadata', () => {
    const plain = deployment(Testing.chart(), 'd', { template: { spec: { containers: [] } } });
    const pods = PodTemplate.of(plain)!;
    pods.addLabel('version', 'v1');
    pods.addAnnotation('x', 'y');
    pods.setAutomountServiceAccountToken(true);
    expect(plain.toJson().spec.template).toEqual({ metadata: { labels: { version: 'v1' }, annotations: { x: 'y' } }, spec: { containers: [], automountServiceAccountToken: true } });

    const kd = new kplus.Deployment(Testing.chart(), 'kd', { containers: [{ image: 'app' }] });
    const kpods = PodTemplate.of(kd)!;
    kpods.addLabel('version', 'v1');
    kpods.addAnnotation('x', 'y');
    expect(kd.podMetadata.getLabel('version')).toBe('v1');
    expect(kd.podMetadata.toJson().annotations).toEqual({ x: 'y' });
    expect((ApiObject.of(kd) as any).patches).toEqual([]);
    expect(PodTemplate.of(ApiObject.of(kd))!.labels()).toMatchObject({ version: 'v1' });
  });
  test('setAutomountServiceAccountToken adds the missing parents of the pod spec (no failed patch at synthesis)', () => {
    for (const spec of [undefined, {}, { template: {} }, { template: { metadata: { labels: { app: 'a' } } } }]) {
      const d = deployment(Testing.chart(), 'd', spec);
      PodTemplate.of(d)!.setAutomountServiceAccountToken(true);
      expect(d.toJson().spec.template.spec).toEqual({ automountServiceAccountToken: true });
      expect(PodTemplate.of(d)!.automountServiceAccountToken()).toBe(true);
    }
    // an existing pod spec keeps its fields; a written value is replaced
    const d = deployment(Testing.chart(), 'd', { template: { spec: { automountServiceAccountToken: false, containers: [] } } });
    PodTemplate.of(d)!.setAutomountServiceAccountToken(true);
    expect(d.toJson().spec.template.spec).toEqual({ automountServiceAccountToken: true, containers: [] });
  });
});

describe('private/k8s-objects: namespace objects', () => {
  test('findNamespaceObject: the v1 Namespace of that name under the scope, else undefined', () => {
    const chart = Testing.chart();
    const ns = new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    expect(findNamespaceObject(chart, 'shop')).toBe(ns);
    expect(findNamespaceObject(chart, 'web')).toBeUndefined();
  });

  test('namespaceObjectOf: undefined when not given, the object when it is that Namespace', () => {
    const chart = Testing.chart();
    const ns = new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    expect(namespaceObjectOf(undefined, 'shop', 'test/p')).toBeUndefined();
    expect(namespaceObjectOf(ns, 'shop', 'test/p')).toBe(ns);
  });

  test('namespaceObjectOf refuses another Namespace (by its name) or another object (described)', () => {
    const chart = Testing.chart();
    const web = new ApiObject(chart, 'web', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web' } });
    expect(() => namespaceObjectOf(web, 'shop', 'test/p')).toThrow(new Error('[test/p] namespaceObject: got "web": not the Namespace of shop, whose workloads the pattern configures; '
      + 'pass the Namespace named shop (a cdk8s-plus Namespace of any 2.x package, a KubeNamespace or an ApiObject), or leave namespaceObject out'));
    expect(() => namespaceObjectOf(deployment(chart, 'd', {}, { name: 'shop' }), 'shop', 'test/p'))
      .toThrow(/^\[test\/p\] namespaceObject: got apps\/v1 Deployment shop \[test\/d\]: not the Namespace of shop/);
  });

  test('newNamespaceObject: a v1 Namespace with our label and an empty spec', () => {
    const ns = newNamespaceObject(Testing.chart(), 'shop');
    expect(ns.toJson()).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-mesh' } }, spec: {} });
  });
});

describe('private/k8s-objects: services', () => {
  test('serviceSpecOf: selector and ports as written, patches included, re-read after a new patch; empty when none', () => {
    const api = service(Testing.chart(), 's', { selector: { app: 'order' }, ports: [{ port: 80 }] });
    expect(serviceSpecOf(api)).toEqual({ selector: { app: 'order' }, ports: [{ port: 80 }] });
    api.addJsonPatch(JsonPatch.add('/spec/selector/version', 'v1'));
    expect(serviceSpecOf(api).selector).toEqual({ app: 'order', version: 'v1' });
    expect(serviceSpecOf(service(Testing.chart(), 'e', undefined))).toEqual({ selector: {}, ports: [] });
  });

  test('serviceSpecOf: a cdk8s-plus Service is re-read after its selector or ports change', () => {
    const chart = Testing.chart();
    const svc = new kplus.Service(chart, 'svc', { ports: [{ port: 80 }], selector: kplus.Pods.select(chart, 'p', { labels: { app: 'order' } }) });
    expect(serviceSpecOf(ApiObject.of(svc)).selector).toEqual({ app: 'order' });
    svc.bind(81);
    expect(serviceSpecOf(ApiObject.of(svc)).ports.map(p => p.port)).toEqual([80, 81]);
  });

  test('servicesOf: v1 Services in that namespace only', () => {
    const app = Testing.app();
    const shop = new Chart(app, 'shop', { namespace: 'shop' });
    const web = new Chart(app, 'web', { namespace: 'web' });
    const a = service(shop, 'a', {});
    service(web, 'b', {});
    new ApiObject(shop, 'other', { apiVersion: 'v2', kind: 'Service', metadata: { name: 'other' } });
    expect(servicesOf(app, 'shop')).toEqual([a]);
    expect(servicesOf(app, undefined)).toEqual([]);
  });

  test('servicesSelecting: non-empty selectors that all match the pod labels, in the workload\'s namespace', () => {
    const app = Testing.app();
    const shop = new Chart(app, 'shop', { namespace: 'shop' });
    const web = new Chart(app, 'web', { namespace: 'web' });
    const pods = PodTemplate.of(deployment(shop, 'd', { template: { metadata: { labels: { app: 'order', version: 'v1' } } } }))!;
    const all = service(shop, 'all', { selector: { app: 'order' } });
    const exact = service(shop, 'exact', { selector: { app: 'order', version: 'v1' } });
    service(shop, 'v2', { selector: { app: 'order', version: 'v2' } });
    service(shop, 'none', { selector: {} });
    service(shop, 'missing', {});
    service(web, 'elsewhere', { selector: { app: 'order' } });
    expect(servicesSelecting(pods)).toEqual([all, exact]);
  });
});

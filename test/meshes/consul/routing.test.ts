import { ApiObject, Testing } from 'cdk8s';
import { HeaderMatch, Mesh, ServiceRef, ServiceVersion, VersionedRouting } from '../../../src';
import { CONSUL } from '../../../src/meshes/consul';
import { CONSUL_ROUTING } from '../../../src/meshes/consul/routing';
import { PodTemplate } from '../../../src/private/k8s-objects';
import { context, routingIntent, scope, version } from '../routing-intent';

const CONSUL_MESH = Mesh.consul();

describe('meshes/consul/routing: VersionedRouting on Consul (ServiceResolver subsets of one Consul service)', () => {
  test('the mesh\'s routing renderer is this one', () => {
    expect(CONSUL.routing).toBe(CONSUL_ROUTING);
  });

  test('the mirror is unsupported (no mirroring in the discovery chain)', () => {
    expect(CONSUL_ROUTING.unsupported(routingIntent(), context(CONSUL_MESH))).toEqual([]);
    expect(CONSUL_ROUTING.unsupported(routingIntent({}, { mirror: { version: version('v1'), percent: 1 } }), context(CONSUL_MESH))).toEqual([{
      setting: 'mirror',
      value: 'v1 1%',
      why: 'Consul\'s discovery chain has no traffic mirroring',
      alternative: 'send test requests to the version with a route (routes: [{ match: { headers: [...] }, version }])',
    }]);
  });

  test('a version by a Service of its own is unsupported (it registers another Consul service)', () => {
    expect(CONSUL_ROUTING.serviceVersionUnsupported!({ setting: 'versions[2]', value: 'v3 given' }, 'v3', ServiceRef.fromName('reviews-v3', { port: 9080 }))).toEqual([{
      setting: 'versions[2]',
      value: 'v3 given',
      why: 'its subsets are Service.Meta filters of the one Consul service that callers use; a Service of its own registers a different Consul service',
      alternative: "use ServiceVersion.of('v3') or ServiceVersion.fromDeployment(deployment, 'v3')",
    }]);
  });

  test('a label key must be a Service.Meta key: a plain identifier, on both sides', () => {
    expect(CONSUL_ROUTING.versionLabelKeyProblems!('versions[0].labelKey', 'version')).toEqual([]);
    expect(CONSUL_ROUTING.versionLabelKeyProblems!('versions[0].labelKey', '_track2')).toEqual([]);
    for (const key of ['app.kubernetes.io/version', 'track-b', '2track']) {
      expect(CONSUL_ROUTING.versionLabelKeyProblems!('versions[0].labelKey', key)).toEqual([{ prop: 'versions[0].labelKey', value: key, why: 'Consul subsets filter on Service.Meta.<key>, which needs a plain identifier', fix: "use a key such as 'version'" }]);
    }
  });

  test('a route sends to one subset: a weighted set is unsupported, a set with one non-zero weight is one subset', () => {
    const given = { setting: 'routes[0].split', value: 'v1: 50, v2: 50' };
    expect(CONSUL_ROUTING.routeSplitUnsupported!(given, [{ version: version('v1'), weight: 100 }])).toEqual([]);
    expect(CONSUL_ROUTING.routeSplitUnsupported!(given, [{ version: version('v1'), weight: 100 }, { version: version('v2'), weight: 0 }])).toEqual([]);
    expect(CONSUL_ROUTING.routeSplitUnsupported!(given, [{ version: version('v1'), weight: 50 }, { version: version('v2'), weight: 50 }])).toEqual([{
      ...given,
      why: 'a ServiceRouter route sends to one service subset; only the service\'s ServiceSplitter splits by weight, and it applies to the requests no route takes',
      alternative: 'send this route to one version, and split the remaining requests with defaultSplit',
    }]);
  });

  test('routes keep the given order (the ServiceRouter takes the first match)', () => {
    expect(CONSUL_ROUTING.precedence).toBeUndefined();
  });

  test('a version\'s Deployment gets the service-meta annotation; without one, a warning says what to add', () => {
    const chart = Testing.chart();
    const d = new ApiObject(chart, 'd', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'reviews-v2' }, spec: { selector: { matchLabels: { app: 'reviews' } }, template: { metadata: { labels: { app: 'reviews' } } } } });
    const ctx = context(CONSUL_MESH);
    CONSUL_ROUTING.prepareVersion!(PodTemplate.of(d), { ...version('v2'), versionKey: 'track' }, ctx, 'ServiceVersion.fromDeployment');
    expect(Testing.synth(chart)[0].spec.template.metadata.annotations).toEqual({ 'consul.hashicorp.com/service-meta-track': 'v2' });
    expect(ctx.warnings).toEqual([]);
    CONSUL_ROUTING.prepareVersion!(undefined, version('v1'), ctx, 'ServiceVersion.fromDeployment');
    expect(ctx.warnings).toEqual(['Consul subsets filter on Service.Meta.version: annotate the v1 pods with consul.hashicorp.com/service-meta-version: "v1" (ServiceVersion.fromDeployment does it for you)']);
  });

  test('no objects of its own (the router, splitter and resolver are the traffic renderer\'s)', () => {
    const { scope: s, objects } = scope();
    CONSUL_ROUTING.render(s, routingIntent(), context(CONSUL_MESH));
    expect(objects()).toEqual([]);
  });
});

describe('meshes/consul/routing through VersionedRouting: a refused split carries its setting and value', () => {
  const make = (split: any) => () => new VersionedRouting(Testing.chart(), 'routing', {
    mesh: Mesh.consul(),
    service: ServiceRef.fromName('reviews', { port: 9080 }),
    versions: [ServiceVersion.of('v1'), ServiceVersion.of('v2')],
    routes: [{ match: { headers: [HeaderMatch.exact('x-tester', 'yes')] }, split }],
  });

  test('a weighted split is refused on routes[0].split, with the split as given', () => {
    expect(make([{ version: 'v1', weight: 50 }, { version: 'v2', weight: 50 }])).toThrow(
      'routes[0].split: got "v1: 50, v2: 50": Consul cannot express this (a ServiceRouter route sends to one service subset');
  });

  test('a split with a null entry among two versions gives named errors, not a TypeError (the value was read before)', () => {
    expect(make([null, { version: 'v1', weight: 50 }, { version: 'v2', weight: 50 }])).toThrow('routes[0].split: got "undefined: undefined, v1: 50, v2: 50"');
    expect(make([null, { version: 'v1', weight: 50 }, { version: 'v2', weight: 50 }])).not.toThrow(TypeError);
  });
});

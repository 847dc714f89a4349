import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { buildMesh } from '../../bench/run';
import { SHOP_MESHES, Shop } from '../../examples/shop/main';
import { IstioDataPlane, Mesh } from '../../src';
import * as consul from '../../src/imports/consul';
import * as gatewayApi from '../../src/imports/gateway-api';
import * as istio from '../../src/imports/istio';
import * as linkerd from '../../src/imports/linkerd';
import * as unconverted from '../../src/meshes/unconverted';
import { unconvertedCheck } from '../../src/private/l1';

const IMPORTS = path.join(__dirname, '..', '..', 'src', 'imports');

/**
 * Reads the generated converter `name` of `file` and the converters it calls, and returns what keeps the
 * conversion from being the identity on `ApiObject.toJson`'s rendering (resolved JSON whose objects have
 * their keys sorted): a key copied from another name or converted otherwise (`mirror_percent` from
 * `mirrorPercent`, an IntOrString's `.value`), a struct whose keys are not in sorted order, a converter of
 * another shape. `guarded` lists `converter.key` pairs the class's guard sends to the L1's conversion:
 * they are left out of both checks.
 */
function conversionProblems(file: string, root: string, guarded: string[] = []): string[] {
  const src = fs.readFileSync(path.join(IMPORTS, file), 'utf8');
  const problems: string[] = [];
  const seen = new Set<string>();
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const dropUndefined = 'Object.entries(result).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {});';
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const m = new RegExp(`export function ${name}\\(obj: [^)]*\\): Record<string, any> \\| undefined \\{\\n  if \\(obj === undefined\\) \\{ return undefined; \\}\\n`
      + `  const result = \\{\\n([\\s\\S]*?)\\n  \\};\\n  // filter undefined values\\n  return ${esc(dropUndefined)}\\n\\}`).exec(src);
    if (!m) {
      problems.push(`${name}: not found, or not of the generated shape`);
      return;
    }
    const keys: string[] = [];
    for (const line of m[1].split('\n')) {
      const l = /^ {4}'([^']+)': (.*),$/.exec(line);
      if (!l) {
        problems.push(`${name}: ${line}`);
        continue;
      }
      const [, key, expr] = l;
      if (guarded.includes(`${name}.${key}`)) continue;
      keys.push(key);
      const k = esc(key);
      const nested = [
        new RegExp(`^toJson_(\\w+)\\(obj\\.${k}\\)$`),
        new RegExp(`^obj\\.${k}\\?\\.map\\(y => toJson_(\\w+)\\(y\\)\\)$`),
        new RegExp(`^\\(\\(obj\\.${k}\\) === undefined\\) \\? undefined : \\(Object\\.entries\\(obj\\.${k}\\)\\.reduce\\(\\(r, i\\) => \\(i\\[1\\] === undefined\\) \\? r : \\(\\{ \\.\\.\\.r, \\[i\\[0\\]\\]: toJson_(\\w+)\\(i\\[1\\]\\) \\}\\), \\{\\}\\)\\)$`),
      ].map(re => re.exec(expr)).find(x => x);
      if (nested) {visit(`toJson_${nested[1]}`);} else if (expr !== `obj.${key}` && expr !== `obj.${key}?.map(y => y)`
        && expr !== `((obj.${key}) === undefined) ? undefined : (Object.entries(obj.${key}).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {}))`) {
        problems.push(`${name}: '${key}': ${expr}`);
      }
    }
    if ([...keys].sort().join() !== keys.join()) problems.push(`${name}: keys not in sorted order: ${keys.join(', ')}`);
  };
  visit(root);
  return problems;
}

/** Each class of src/meshes/unconverted.ts: its L1, the generated file and converter, the guarded keys. */
const PROOFS: Record<string, { l1: any; file: string; root: string; guarded?: string[] }> = {
  VirtualService: { l1: istio.VirtualService, file: 'istio-networking.istio.io.ts', root: 'toJson_VirtualServiceProps', guarded: ['toJson_VirtualServiceSpecHttp.mirror_percent'] },
  AuthorizationPolicy: { l1: istio.AuthorizationPolicy, file: 'istio-security.istio.io.ts', root: 'toJson_AuthorizationPolicyProps' },
  ServiceEntry: { l1: istio.ServiceEntry, file: 'istio-networking.istio.io.ts', root: 'toJson_ServiceEntryProps' },
  ServiceRouter: { l1: consul.ServiceRouter, file: 'consul-consul.hashicorp.com.ts', root: 'toJson_ServiceRouterProps' },
  ServiceSplitter: { l1: consul.ServiceSplitter, file: 'consul-consul.hashicorp.com.ts', root: 'toJson_ServiceSplitterProps' },
  ServiceResolver: { l1: consul.ServiceResolver, file: 'consul-consul.hashicorp.com.ts', root: 'toJson_ServiceResolverProps', guarded: ['toJson_ServiceResolverSpecLoadBalancerHashPolicies.sourceIP'] },
  ServiceIntentions: { l1: consul.ServiceIntentions, file: 'consul-consul.hashicorp.com.ts', root: 'toJson_ServiceIntentionsProps' },
  MeshTlsAuthentication: { l1: linkerd.MeshTlsAuthentication, file: 'linkerd-policy.linkerd.io.ts', root: 'toJson_MeshTlsAuthenticationProps' },
  PolicyHttpRoute: { l1: linkerd.HttpRoute, file: 'linkerd-policy.linkerd.io.ts', root: 'toJson_HttpRouteProps', guarded: ['toJson_HttpRouteSpecRulesBackendRefs.filters'] },
  HttpRoute: { l1: gatewayApi.HttpRoute, file: 'gateway-api-gateway.networking.k8s.io.ts', root: 'toJson_HttpRouteProps' },
};

/** The L1's own rendering of an object (its generated conversion). */
function l1Json(o: ApiObject): any {
  return Object.getPrototypeOf(Object.getPrototypeOf(o)).toJson.call(o);
}

/** Equal as written: the same keys in the same order, the same values (YAML keeps the key order). */
function sameText(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

describe('L1 classes rendered without their generated conversion (src/private/l1.ts)', () => {
  test.each(Object.keys(PROOFS))('%s: the generated conversion is the identity on the sorted rendering, outside the guarded keys', name => {
    const p = PROOFS[name];
    const cls = (unconverted as any)[name];
    expect(Object.getPrototypeOf(cls)).toBe(p.l1);
    expect(cls.name).toBe(p.l1.name);
    expect(conversionProblems(p.file, p.root, p.guarded)).toEqual([]);
    // the root converter copies metadata as it is and converts spec (the L1 adds apiVersion and kind)
    const root = new RegExp(`export function ${p.root}\\(obj: [^)]*\\)[^{]*\\{\\n[^\\n]*\\n  const result = \\{\\n([\\s\\S]*?)\\n  \\};`).exec(fs.readFileSync(path.join(IMPORTS, p.file), 'utf8'))!;
    expect(root[1].split('\n').map(l => l.trim().split(':')[0])).toEqual(["'metadata'", "'spec'"]);
  });

  test('each guarded converter is called from one place only (the path its guard in unconverted.ts reads)', () => {
    // a regeneration that calls a guarded converter from a second place would put the renamed key where no guard looks
    for (const p of Object.values(PROOFS)) {
      const src = fs.readFileSync(path.join(IMPORTS, p.file), 'utf8');
      for (const g of p.guarded ?? []) {
        const converter = g.split('.')[0];
        expect([g, src.split(`${converter}(`).length - 1]).toEqual([g, 2]); // its definition, and one call
      }
    }
  });

  test('every class of src/meshes/unconverted.ts has its proof here', () => {
    expect(Object.keys(unconverted).sort()).toEqual(Object.keys(PROOFS).sort());
  });

  test('the check finds the conversions that are not the identity (these classes keep their conversion)', () => {
    // a rename (the reason DestinationRule is not in unconverted.ts)
    expect(conversionProblems('istio-networking.istio.io.ts', 'toJson_DestinationRuleProps')).toContain(
      "toJson_DestinationRuleSpecTrafficPolicyOutlierDetection: 'consecutive5xxErrors': obj.consecutive5XxErrors");
    // an IntOrString unwrapped, and snake_case keys
    const prometheus = conversionProblems('prometheus-monitoring.coreos.com.ts', 'toJson_PrometheusRuleProps');
    expect(prometheus).toContain("toJson_PrometheusRuleSpecGroupsRules: 'expr': obj.expr?.value");
    expect(prometheus).toContain("toJson_PrometheusRuleSpecGroupsRules: 'keep_firing_for': obj.keepFiringFor");
    // keys out of sorted order
    expect(conversionProblems('linkerd-policy.linkerd.io.ts', 'toJson_AuthorizationPolicyProps')).toEqual([
      'toJson_AuthorizationPolicySpec: keys not in sorted order: targetRef, requiredAuthenticationRefs',
    ]);
    // the guarded keys are what the guards are for
    expect(conversionProblems('istio-networking.istio.io.ts', 'toJson_VirtualServiceProps')).toEqual([
      "toJson_VirtualServiceSpecHttp: 'mirror_percent': obj.mirrorPercent",
      'toJson_VirtualServiceSpecHttp: keys not in sorted order: corsPolicy, delegate, directResponse, fault, headers, match, mirror, mirror_percent, mirrorPercentage, mirrors, name, redirect, retries, rewrite, route, timeout',
    ]);
    expect(conversionProblems('linkerd-policy.linkerd.io.ts', 'toJson_HttpRouteProps')).toEqual([
      'toJson_HttpRouteSpecRulesBackendRefs: keys not in sorted order: group, kind, name, namespace, port, weight, filters',
    ]);
    expect(conversionProblems('consul-consul.hashicorp.com.ts', 'toJson_ServiceResolverProps')).toEqual([
      "toJson_ServiceResolverSpecLoadBalancerHashPolicies: 'sourceIP': obj.sourceIp",
    ]);
  });

  test.each(['istio', 'istio-ambient', 'linkerd', 'consul'])('%s: every object of the benchmark app is written as its L1 writes it', meshName => {
    const mesh = { 'istio': Mesh.istio(), 'istio-ambient': Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }), 'linkerd': Mesh.linkerd(), 'consul': Mesh.consul() }[meshName]!;
    const app = Testing.app();
    app.node.setContext('cdk8s-mesh:analyze', false);
    app.node.setContext('cdk8s-mesh:validate', false);
    const quiet = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      buildMesh(app, mesh, 12);
    } finally {
      quiet.mockRestore();
    }
    const classes = Object.values(unconverted) as any[];
    // by class (`instanceof` of any ApiObject class holds for every ApiObject: cdk8s' Symbol.hasInstance)
    const objects = app.node.findAll().filter((c): c is ApiObject => classes.includes(c.constructor));
    expect(objects.length).toBeGreaterThan(12);
    for (const o of objects) expect(JSON.stringify(o.toJson())).toEqual(JSON.stringify(l1Json(o)));
  });

  test.each(SHOP_MESHES.map(([name, mesh]) => [name, mesh] as const))('the shop example on %s: every object written as its L1 writes it', (_name, mesh) => {
    // the example sets what the benchmark app does not (JWT, faults, mirrors, headers, egress, exports)
    const quiet = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let app: App;
    try {
      app = Testing.app();
      new Shop(app, 'shop', { mesh });
    } finally {
      quiet.mockRestore();
    }
    const classes = Object.values(unconverted) as any[];
    const objects = app.node.findAll().filter((c): c is ApiObject => classes.includes(c.constructor));
    expect(objects.length).toBeGreaterThan(3);
    for (const o of objects) expect([o.node.path, JSON.stringify(o.toJson())]).toEqual([o.node.path, JSON.stringify(l1Json(o))]);
  });

  describe('falls back to the L1 conversion where it could differ', () => {
    const chart = () => new Chart(Testing.app(), 'c');
    test('a guarded key: a route\'s mirrorPercent, a hash policy\'s sourceIp, a backend\'s filters', () => {
      const vs = new unconverted.VirtualService(chart(), 'vs', { spec: { hosts: ['a'], http: [{ name: 'x', mirrorPercent: 5, mirrorPercentage: { value: 5 }, route: [{ destination: { host: 'a' } }] }] } });
      expect(vs.toJson().spec.http[0]).toEqual({ mirror_percent: 5, mirrorPercentage: { value: 5 }, name: 'x', route: [{ destination: { host: 'a' } }] });
      expect(Object.keys(vs.toJson().spec.http[0])).toEqual(['mirror_percent', 'mirrorPercentage', 'name', 'route']);
      const resolver = new unconverted.ServiceResolver(chart(), 'r', { spec: { loadBalancer: { hashPolicies: [{ sourceIp: true }] } } });
      expect(resolver.toJson().spec.loadBalancer.hashPolicies).toEqual([{ sourceIP: true }]);
      const route = new unconverted.PolicyHttpRoute(chart(), 'h', { spec: { rules: [{ backendRefs: [{ name: 'a', filters: [{ type: linkerd.HttpRouteSpecRulesBackendRefsFiltersType.REQUEST_HEADER_MODIFIER, requestHeaderModifier: { remove: ['x'] } }], weight: 1 }] }] } });
      expect(Object.keys(route.toJson().spec.rules[0].backendRefs[0])).toEqual(['name', 'weight', 'filters']);
    });

    test('a JSON patch: a key the schema does not know is dropped, a renamed key read under its schema name', () => {
      const vs = new unconverted.VirtualService(chart(), 'vs', { spec: { hosts: ['a'] } });
      vs.addJsonPatch(JsonPatch.add('/spec/unknown', 1), JsonPatch.add('/spec/exportTo', ['.']));
      expect(vs.toJson().spec).toEqual({ exportTo: ['.'], hosts: ['a'] });
      expect(sameText(vs.toJson(), l1Json(vs))).toBe(true);
    });

    test('CDK8S_DISABLE_SORT: the schema order, as the L1 writes it', () => {
      const ap = new unconverted.AuthorizationPolicy(chart(), 'ap', { spec: { selector: { matchLabels: { app: 'a' } }, action: istio.AuthorizationPolicySpecAction.DENY } });
      process.env.CDK8S_DISABLE_SORT = '1';
      try {
        expect(Object.keys(ap.toJson().spec)).toEqual(Object.keys(l1Json(ap).spec));
        expect(sameText(ap.toJson(), l1Json(ap))).toBe(true);
      } finally {
        delete process.env.CDK8S_DISABLE_SORT;
      }
      expect(Object.keys(ap.toJson().spec)).toEqual(['action', 'selector']);
    });
  });

  test('generated VirtualService specs (nulls, holes, missing keys, maps, the guarded mirrorPercent): the same text as the L1', () => {
    const str = fc.oneof(fc.constantFrom('a', 'b', 'Z', '_x', '10', '9', 'x-y'), fc.string({ maxLength: 3 }));
    const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
    const orNull = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, fc.constant(null as any), fc.constant(undefined as any));
    const OPT = { requiredKeys: [] as never[], noNullPrototype: true };
    const PLAIN = { noNullPrototype: true };
    const pct = fc.record({ value: fc.double({ min: 0, max: 100, noNaN: true }) }, PLAIN);
    const dict = <T>(v: fc.Arbitrary<T>) => fc.dictionary(str, v, PLAIN);
    const stringMatch = fc.record({ exact: maybe(str), prefix: maybe(str), regex: maybe(str) }, OPT);
    const match = fc.record({
      uri: maybe(stringMatch),
      headers: maybe(dict(orNull(stringMatch))),
      queryParams: maybe(dict(stringMatch)),
      method: maybe(stringMatch),
      name: maybe(str),
      ignoreUriCase: maybe(fc.boolean()),
      sourceLabels: maybe(dict(str)),
    }, OPT);
    const port = fc.record({ number: fc.integer({ min: 1, max: 65535 }) }, PLAIN);
    const destination = fc.record({ host: str, subset: maybe(str), port: maybe(port) }, { requiredKeys: ['host'], noNullPrototype: true });
    const http = fc.record({
      name: maybe(str),
      match: maybe(fc.array(orNull(match), { maxLength: 3 })),
      route: maybe(fc.sparseArray(fc.record({ destination, weight: maybe(fc.integer({ min: 0, max: 100 })) }, { requiredKeys: ['destination'], noNullPrototype: true }), { maxLength: 3 })),
      timeout: maybe(str),
      retries: maybe(fc.record({ attempts: maybe(fc.integer({ min: 0, max: 5 })), perTryTimeout: maybe(str), retryOn: maybe(str) }, OPT)),
      fault: maybe(fc.record({ abort: maybe(fc.record({ httpStatus: fc.integer({ min: 200, max: 599 }), percentage: maybe(pct) }, PLAIN)) }, OPT)),
      mirror: maybe(destination),
      mirrorPercent: maybe(fc.integer({ min: 0, max: 100 })),
      mirrorPercentage: maybe(pct),
      headers: maybe(fc.record({ request: maybe(fc.record({ set: maybe(dict(str)), remove: maybe(fc.array(str)) }, OPT)) }, OPT)),
    }, OPT);
    const spec = fc.record({
      hosts: maybe(fc.array(orNull(str))),
      gateways: maybe(fc.array(str)),
      http: maybe(fc.array(orNull(http), { maxLength: 4 })),
      exportTo: maybe(fc.array(str)),
    }, OPT);
    fc.assert(fc.property(spec, s => {
      const metadata = { name: 'n', labels: { b: '1', a: '2' } };
      const vs = new unconverted.VirtualService(new Chart(new App(), 'c'), 'vs', { metadata, spec: s as istio.VirtualServiceSpec });
      return sameText(vs.toJson(), l1Json(vs));
    }), { numRuns: 300 });
  });
});

describe('the check of every jest run (test/setup/unconverted.ts)', () => {
  test('is set in this run', () => {
    expect(unconvertedCheck.compare).toBeInstanceOf(Function);
  });

  test('fails the rendering of a key the conversion would drop, and passes a spec of the schema', () => {
    const chart = Testing.chart();
    new unconverted.VirtualService(chart, 'good', { metadata: { name: 'good' }, spec: { hosts: ['a'], http: [{ route: [{ destination: { host: 'a' } }] }] } });
    expect(() => Testing.synth(chart)).not.toThrow();
    // a key outside the schema, as a renderer's `as Spec` cast could write it: the L1's conversion drops it
    new unconverted.VirtualService(chart, 'bad', { metadata: { name: 'bad' }, spec: { hosts: ['b'], bogus: true } as any });
    expect(() => Testing.synth(chart)).toThrow(/test\/bad: the VirtualService written without the L1's conversion differs from the L1's own rendering .*"bogus":true/);
  });

  test('fails a key written under its JSON name where the L1 expects another', () => {
    const chart = Testing.chart();
    // DestinationRule is not unconverted (consecutive5xxErrors); a wrapped ServiceResolver given `sourceIP`
    // directly (the guard looks for `sourceIp`) is rendered unconverted, and the L1 reads `sourceIp`
    new unconverted.ServiceResolver(chart, 'r', { metadata: { name: 'r' }, spec: { loadBalancer: { hashPolicies: [{ sourceIP: true }] } } as any });
    expect(() => Testing.synth(chart)).toThrow(/test\/r: the ServiceResolver written without the L1's conversion differs/);
  });
});

import { Duration } from 'cdk8s';
import * as yaml from 'js-yaml';
import { CanaryRelease, FaultInjection, FaultInjectionProps, HeaderMatch, HttpMethod, IstioDataPlane, Mesh, PathMatch, QueryParamMatch, ReleaseVersion, ResilientService, ServiceRef } from '../../../src';
import { captureStderr, failureOf, one, shopChart, synthValidated } from '../../util';

captureStderr();

const payment = () => ServiceRef.fromName('payment', { port: 8080 });
const CHAOS = [HeaderMatch.exact('x-chaos', 'true')];
const props = (over: Partial<FaultInjectionProps> = {}): FaultInjectionProps => ({
  mesh: Mesh.istio(),
  service: payment(),
  delay: { fixedDelay: Duration.seconds(2), percent: 10 },
  abort: { httpStatus: 503, percent: 5 },
  match: CHAOS,
  ...over,
});

describe('Istio', () => {
  test('snapshot, validated against the pinned CRDs', () => {
    const chart = shopChart();
    new FaultInjection(chart, 'chaos', props());
    expect(synthValidated(chart).map(o => yaml.dump(o, { lineWidth: -1 })).join('---\n')).toMatchSnapshot();
  });

  test('faults behind a header get routes of their own, ahead of the others', () => {
    const chart = shopChart();
    new FaultInjection(chart, 'chaos', props());
    const http = one(synthValidated(chart), 'VirtualService', 'payment').spec.http;
    expect(http[0]).toEqual({
      name: 'fault-default',
      match: [{ headers: { 'x-chaos': { exact: 'true' } } }],
      route: [{ destination: { host: 'payment.shop.svc.cluster.local', port: { number: 8080 } } }],
      fault: { delay: { fixedDelay: '2s', percentage: { value: 10 } }, abort: { httpStatus: 503, percentage: { value: 5 } } },
    });
    expect(http[1]).toEqual({ name: 'default', route: [{ destination: { host: 'payment.shop.svc.cluster.local', port: { number: 8080 } } }] });
  });

  test('with a ResilientService and a CanaryRelease: one VirtualService; the fault routes keep the canary split', () => {
    const chart = shopChart();
    new ResilientService(chart, 'resilience', { mesh: Mesh.istio(), service: payment(), timeout: Duration.seconds(3), circuitBreaker: {} });
    new CanaryRelease(chart, 'release', { mesh: Mesh.istio(), service: payment(), stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 20, healthAlert: {} });
    new FaultInjection(chart, 'chaos', props({ delay: undefined }));
    const http = one(synthValidated(chart), 'VirtualService', 'payment').spec.http;
    expect(http.map((r: any) => r.name)).toEqual(['fault-default', 'default']);
    expect(http[0].route.map((d: any) => d.weight)).toEqual([80, 20]);
    // the fault route keeps the service's timeout and retries: Istio writes both on a route with a fault
    // (route.go applyHTTPRouteDestination), and a route without retries would get Istio's default policy
    expect(http[0].timeout).toBe('3s');
    expect(http[0].retries).toEqual(http[1].retries);
    expect(http[1].timeout).toBe('3s');
    expect(http[1].fault).toBeUndefined();
  });

  test('each fault rule is crossed with every resilience rule, keeping its timeout and retry policy', () => {
    const chart = shopChart();
    new ResilientService(chart, 'resilience', {
      mesh: Mesh.istio(),
      service: payment(),
      timeout: Duration.seconds(3),
      retries: { attempts: 2, perTryTimeout: Duration.seconds(1) },
      circuitBreaker: {},
      routes: [{ name: 'pay', match: { path: PathMatch.exact('/pay') }, timeout: Duration.seconds(10), noRetries: true }],
    });
    new FaultInjection(chart, 'chaos', props({ delay: undefined }));
    const http = one(synthValidated(chart), 'VirtualService', 'payment').spec.http;
    const plain = http.filter((r: any) => !r.fault);
    const faulty = http.filter((r: any) => r.fault);
    expect(faulty.map((r: any) => r.name)).toEqual(plain.map((r: any) => `fault-${r.name}`));
    faulty.forEach((r: any, i: number) => {
      expect(r.timeout).toBe(plain[i].timeout);
      expect(r.retries).toEqual(plain[i].retries);
      expect(r.match).toEqual((plain[i].match ?? [{}]).map((m: any) => ({ ...m, headers: { 'x-chaos': { exact: 'true' } } })));
    });
    expect(faulty.find((r: any) => r.name === 'fault-pay').timeout).toBe('10s');
  });

  test('faults on every request need allowOnAllTraffic, and then apply to every route', () => {
    expect(failureOf(chart => new FaultInjection(chart, 'chaos', props({ match: undefined }))))
      .toBe("[test/chaos] match: got undefined: without a header match, every caller of the service gets the faults: an outage on purpose; limit them to test requests with match: [HeaderMatch.exact('x-chaos', 'true')], or set allowOnAllTraffic: true");
    const chart = shopChart();
    new FaultInjection(chart, 'chaos', props({ match: undefined, allowOnAllTraffic: true, delay: undefined }));
    const http = one(synthValidated(chart), 'VirtualService', 'payment').spec.http;
    expect(http).toHaveLength(1);
    expect(http[0].fault).toEqual({ abort: { httpStatus: 503, percentage: { value: 5 } } });
  });

  test('faults on every request go on the routes of a ResilientService, with their timeouts and retries, in either order', () => {
    for (const faultFirst of [true, false]) {
      const chart = shopChart();
      const fault = () => new FaultInjection(chart, 'chaos', props({ match: undefined, allowOnAllTraffic: true }));
      if (faultFirst) fault();
      new ResilientService(chart, 'resilience', { mesh: Mesh.istio(), service: payment(), timeout: Duration.seconds(3), retries: { attempts: 2 }, circuitBreaker: {} });
      if (!faultFirst) fault();
      const http = one(synthValidated(chart), 'VirtualService', 'payment').spec.http;
      expect(http.map((r: any) => [r.name, r.timeout, r.retries.attempts, r.fault.abort.httpStatus])).toEqual([['default-retry', '3s', 2, 503], ['default', '3s', 2, 503]]);
    }
  });
});

describe('guardrails, on both sides', () => {
  test('percentages above 0 and at most 100; statuses 200 to 599; a delay or an abort', () => {
    const chart = shopChart();
    expect(() => new FaultInjection(chart, 'a', props({ abort: { httpStatus: 599, percent: 100 }, delay: { fixedDelay: Duration.millis(1), percent: 0.1 } }))).not.toThrow();
    expect(failureOf(c => new FaultInjection(c, 'chaos', props({ abort: { httpStatus: 503, percent: 0 } })))).toContain('abort.percent: got 0: a share of requests is a percentage above 0 and at most 100');
    expect(failureOf(c => new FaultInjection(c, 'chaos', props({ abort: { httpStatus: 503, percent: 101 } })))).toContain('abort.percent: got 101');
    expect(failureOf(c => new FaultInjection(c, 'chaos', props({ abort: { httpStatus: 199, percent: 1 } })))).toContain('abort.httpStatus: got 199: an abort status is a whole number from 200 to 599');
    expect(failureOf(c => new FaultInjection(c, 'chaos', props({ abort: { httpStatus: 600, percent: 1 } })))).toContain('abort.httpStatus: got 600');
    expect(failureOf(c => new FaultInjection(c, 'chaos', props({ delay: { fixedDelay: Duration.millis(0), percent: 1 } })))).toContain('delay.fixedDelay: got 0ms: durations must be at least 1ms');
    expect(failureOf(c => new FaultInjection(c, 'chaos', props({ delay: undefined, abort: undefined })))).toContain('delay: got undefined: a fault injection needs a delay, an abort or both');
  });

  test('one FaultInjection per service', () => {
    expect(failureOf(chart => {
      new FaultInjection(chart, 'a', props());
      new FaultInjection(chart, 'b', props());
    })).toBe('[test/b] service: got payment, but [test/a] already injects faults into it; one FaultInjection per service');
  });

  test.each([
    ['linkerd', Mesh.linkerd(), 'Linkerd has no fault injection'],
    ['consul', Mesh.consul(), 'Consul has no fault injection (only through Envoy extensions)'],
  ])('%s has no fault injection: refused, naming the alternative', (_name, mesh, why) => {
    expect(failureOf(chart => new FaultInjection(chart, 'chaos', props({ mesh })))).toContain(`[test/chaos] delay: got 10: ${mesh.displayName} cannot express this (${why}); inject faults in a test client or the application`);
  });
});

describe('several fault rules per service', () => {
  const JASON = { headers: [HeaderMatch.exact('end-user', 'jason')] };
  const classic = (over: Partial<FaultInjectionProps> = {}): FaultInjectionProps => ({
    mesh: Mesh.istio(),
    service: ServiceRef.fromName('ratings', { port: 9080 }),
    rules: [
      { match: JASON, delay: { fixedDelay: Duration.seconds(7), percent: 100 } },
      { abort: { httpStatus: 500, percent: 10 } },
    ],
    allowOnAllTraffic: true,
    ...over,
  });

  test.each([
    ['sidecar', Mesh.istio()],
    ['ambient', Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT })],
  ])('Istio %s: one VirtualService, the rules in the given order; the last, on every other request, on the catch-all route', (_n, mesh) => {
    const chart = shopChart();
    new FaultInjection(chart, 'chaos', classic({ mesh }));
    const http = one(synthValidated(chart), 'VirtualService', 'ratings').spec.http;
    expect(http).toEqual([
      {
        name: 'fault-1-default',
        match: [{ headers: { 'end-user': { exact: 'jason' } } }],
        route: [{ destination: { host: 'ratings.shop.svc.cluster.local', port: { number: 9080 } } }],
        fault: { delay: { fixedDelay: '7s', percentage: { value: 100 } } },
      },
      {
        name: 'default',
        route: [{ destination: { host: 'ratings.shop.svc.cluster.local', port: { number: 9080 } } }],
        fault: { abort: { httpStatus: 500, percentage: { value: 10 } } },
      },
    ]);
  });

  test('rules match by path, methods and query too; each rule with matches gets its own routes', () => {
    const chart = shopChart();
    new FaultInjection(chart, 'chaos', classic({
      rules: [
        { match: { path: PathMatch.prefix('/ratings'), methods: [HttpMethod.POST] }, abort: { httpStatus: 503, percent: 50 } },
        { match: { queryParams: [QueryParamMatch.exact('chaos', 'slow')] }, delay: { fixedDelay: Duration.millis(1500), percent: 100 } },
      ],
      allowOnAllTraffic: undefined,
    }));
    const http = one(synthValidated(chart), 'VirtualService', 'ratings').spec.http;
    expect(http.map((r: any) => [r.name, r.match])).toEqual([
      ['fault-1-default', [{ uri: { exact: '/ratings' }, method: { exact: 'POST' } }, { uri: { prefix: '/ratings/' }, method: { exact: 'POST' } }]],
      ['fault-2-default', [{ queryParams: { chaos: { exact: 'slow' } } }]],
      ['default', undefined],
    ]);
    expect(http[1].fault).toEqual({ delay: { fixedDelay: '1s500ms', percentage: { value: 100 } } });
  });

  test('fails when an earlier rule covers a later one (naming both); a narrower rule first is fine', () => {
    const broad = { match: { headers: [HeaderMatch.prefix('end-user', 'j')] }, abort: { httpStatus: 500, percent: 10 } };
    const narrow = { match: { headers: [HeaderMatch.exact('end-user', 'jason')], path: PathMatch.prefix('/api') }, delay: { fixedDelay: Duration.seconds(7), percent: 100 } };
    expect(failureOf(chart => new FaultInjection(chart, 'chaos', classic({ rules: [broad, narrow], allowOnAllTraffic: undefined }))))
      .toBe('[test/chaos] rules[1].match: got "path prefix \\"/api\\", header end-user exact \\"jason\\"": rules[0] (header end-user prefix "j") matches every request this rule matches, and the first matching rule applies, so this rule never does; put rules[1] before rules[0], narrow rules[0], or remove rules[1]');
    const chart = shopChart();
    expect(() => new FaultInjection(chart, 'chaos', classic({ rules: [narrow, broad], allowOnAllTraffic: undefined }))).not.toThrow();
    expect(one(synthValidated(chart), 'VirtualService', 'ratings').spec.http.map((r: any) => r.name)).toEqual(['fault-1-default', 'fault-2-default', 'default']);
  });

  test('fails when a rule for every request is not the last', () => {
    expect(failureOf(chart => new FaultInjection(chart, 'chaos', classic({ rules: [{ abort: { httpStatus: 500, percent: 10 } }, { match: JASON, abort: { httpStatus: 500, percent: 10 } }] }))))
      .toContain('rules[1].match: got "header end-user exact \\"jason\\"": rules[0] (every request) matches every request this rule matches');
  });

  test('fails on rules with delay/abort/match, on an empty list, on a rule without faults, and on every request without allowOnAllTraffic', () => {
    expect(failureOf(chart => new FaultInjection(chart, 'chaos', classic({ delay: { fixedDelay: Duration.seconds(1), percent: 1 } }))))
      .toBe('[test/chaos] rules: got "2 rule(s)": rules and delay/abort/match exclude each other; put the delay, abort and match into a rule of rules');
    expect(failureOf(chart => new FaultInjection(chart, 'chaos', classic({ rules: [] })))).toContain('rules: got []: rules is a non-empty list of fault rules');
    expect(failureOf(chart => new FaultInjection(chart, 'chaos', classic({ rules: [{ match: JASON }] })))).toContain('rules[0].delay: got undefined: a fault injection needs a delay, an abort or both');
    expect(failureOf(chart => new FaultInjection(chart, 'chaos', classic({ allowOnAllTraffic: undefined }))))
      .toContain('rules[1].match: got undefined: without a header match, every caller of the service gets the faults: an outage on purpose');
    expect(failureOf(chart => new FaultInjection(chart, 'chaos', classic({ rules: [{ match: JASON, abort: { httpStatus: 600, percent: 101 } }] }))))
      .toContain('rules[0].abort.httpStatus: got 600');
  });

  test.each([
    ['linkerd', Mesh.linkerd(), 'Linkerd has no fault injection'],
    ['consul', Mesh.consul(), 'Consul has no fault injection (only through Envoy extensions)'],
  ])('%s refuses the rules, naming the first and the alternative', (_n, mesh, why) => {
    expect(failureOf(chart => new FaultInjection(chart, 'chaos', classic({ mesh }))))
      .toContain(`[test/chaos] rules[0].delay: got 100: ${mesh.displayName} cannot express this (${why}); inject faults in a test client or the application`);
  });
});

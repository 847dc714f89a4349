import { Duration } from 'cdk8s';
import * as yaml from 'js-yaml';
import { CanaryRelease, FaultInjection, FaultInjectionProps, HeaderMatch, Mesh, ReleaseVersion, ResilientService, ServiceRef } from '../../src';
import { captureStderr, failureOf, one, shopChart, synthValidated } from '../util';

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
    expect(http[0].timeout).toBeUndefined();
    expect(http[1].timeout).toBe('3s');
    expect(http[1].fault).toBeUndefined();
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

  test('faults on every request cannot share routes with timeouts and retries, in either order', () => {
    const expected = /Istio does not combine; give the FaultInjection a header match/;
    expect(failureOf(chart => {
      new ResilientService(chart, 'resilience', { mesh: Mesh.istio(), service: payment(), timeout: Duration.seconds(3) });
      new FaultInjection(chart, 'chaos', props({ match: undefined, allowOnAllTraffic: true }));
    })).toMatch(expected);
    expect(failureOf(chart => {
      new FaultInjection(chart, 'chaos', props({ match: undefined, allowOnAllTraffic: true }));
      new ResilientService(chart, 'resilience', { mesh: Mesh.istio(), service: payment(), timeout: Duration.seconds(3) });
    })).toMatch(expected);
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

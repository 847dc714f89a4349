import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { HeaderMatch, MatchType } from '../matches';
import { Mesh, MeshKind } from '../mesh';
import { MeshConstruct } from '../mesh-construct';
import { checkDuration, millis } from '../private/duration';
import { ProblemList } from '../private/errors';
import { UnsupportedSettings } from '../resilience/resilient-service';
import { ServiceRef } from '../service';
import { ServiceTraffic } from '../traffic/service-traffic';

/**
 * A delay added to a share of requests.
 */
export interface FaultDelay {
  /** How long the delay is. */
  readonly fixedDelay: Duration;
  /** The share of requests delayed, in percent (above 0, at most 100). */
  readonly percent: number;
}

/**
 * An error returned instead of the response, for a share of requests.
 */
export interface FaultAbort {
  /** The HTTP status returned (200 to 599). */
  readonly httpStatus: number;
  /** The share of requests aborted, in percent (above 0, at most 100). */
  readonly percent: number;
}

/**
 * Props of a FaultInjection.
 */
export interface FaultInjectionProps {
  /** The mesh. */
  readonly mesh: Mesh;
  /** The service whose callers see the faults. */
  readonly service: ServiceRef;
  /**
   * A delay.
   * @default - none
   */
  readonly delay?: FaultDelay;
  /**
   * An abort.
   * @default - none
   */
  readonly abort?: FaultAbort;
  /**
   * Only requests with these headers see the faults (e.g. `x-chaos: true`), so that tests can opt in.
   * @default - every request: then `allowOnAllTraffic` must be set
   */
  readonly match?: HeaderMatch[];
  /**
   * Allow faults on every request of the service (no header match): on a production route, that is an
   * outage on purpose.
   * @default false
   */
  readonly allowOnAllTraffic?: boolean;
  /**
   * What to do with settings the mesh cannot express: fail, or leave them out with a warning and a
   * `cdk8s-mesh.io/dropped-settings` annotation on the objects this pattern writes. Fault injection itself is always refused on a mesh without it (nothing would be written).
   * @default UnsupportedSettings.FAIL
   */
  readonly unsupportedSettings?: UnsupportedSettings;
}

/**
 * Fault injection for resilience testing: delays and aborts for a share of a service's requests,
 * optionally only for requests that carry a header. Istio writes it into the service's VirtualService
 * (with any ResilientService or CanaryRelease of the same service); Linkerd and Consul have no fault
 * injection, and synthesis fails saying so.
 *
 * @example
 * new FaultInjection(chart, 'payment-chaos', {
 *   mesh: Mesh.istio(),
 *   service: ServiceRef.fromName('payment', { port: 8080 }),
 *   delay: { fixedDelay: Duration.seconds(2), percent: 10 },
 *   abort: { httpStatus: 503, percent: 5 },
 *   match: [HeaderMatch.exact('x-chaos', 'true')],
 * });
 */
export class FaultInjection extends MeshConstruct {
  /** The service. */
  public readonly service: ServiceRef;

  constructor(scope: Construct, id: string, props: FaultInjectionProps) {
    super(scope, id, props?.mesh);
    const problems = new ProblemList(this);
    this.service = this._requireService(props.service);
    for (const p of this.service._problems('service')) problems.addRaw(p);
    if (!props.delay && !props.abort) problems.add('delay', undefined, 'a fault injection needs a delay, an abort or both', 'set delay: { fixedDelay, percent } or abort: { httpStatus, percent }');
    const percent = (prop: string, v: unknown) => {
      if (typeof v !== 'number' || !(v > 0) || v > 100) problems.add(prop, v, 'a share of requests is a percentage above 0 and at most 100', `use e.g. ${prop}: 10`);
    };
    if (props.delay) {
      checkDuration(problems, 'delay.fixedDelay', props.delay.fixedDelay);
      percent('delay.percent', props.delay.percent);
    }
    if (props.abort) {
      const s = props.abort.httpStatus;
      if (!Number.isInteger(s) || s < 200 || s > 599) problems.add('abort.httpStatus', s, 'an abort status is a whole number from 200 to 599', 'use e.g. 503');
      percent('abort.percent', props.abort.percent);
    }
    const headers = (props.match ?? []).map((h, i) => {
      const problem = h instanceof HeaderMatch ? h._problem() : 'not a HeaderMatch';
      if (problem) problems.add(`match[${i}]`, h instanceof HeaderMatch ? h.name : h, problem, "use HeaderMatch.exact('x-chaos', 'true')");
      return { name: String(h?.name ?? '').toLowerCase(), type: h?.type ?? MatchType.EXACT, value: h?.value ?? '' };
    });
    if (!headers.length && !props.allowOnAllTraffic) {
      problems.add('match', props.match, 'without a header match, every caller of the service gets the faults: an outage on purpose',
        "limit them to test requests with match: [HeaderMatch.exact('x-chaos', 'true')], or set allowOnAllTraffic: true");
    }
    problems.throwIfAny();
    if (this.mesh.kind !== MeshKind.ISTIO) {
      this._handleUnsupported(problems, [{
        setting: props.delay ? 'delay' : 'abort',
        value: props.delay ? props.delay.percent : props.abort?.httpStatus,
        why: this.mesh.kind === MeshKind.LINKERD ? 'Linkerd has no fault injection' : 'Consul has no fault injection (only through Envoy extensions)',
        alternative: this.mesh.kind === MeshKind.LINKERD
          ? 'inject faults in a test client or the application, or route a share of test traffic to a Service that returns errors'
          : 'inject faults in a test client or the application, or use a ProxyDefaults envoyExtensions Lua filter',
        keep: 'nothing would be written, and a fault test would test nothing',
      }], props.unsupportedSettings === UnsupportedSettings.DROP_WITH_WARNING);
    }
    if (this.mesh.ambient) {
      this._warn(`on Istio ambient, faults are a VirtualService applied by the namespace waypoint, which Istio documents as Alpha; ${this.service.name} must have no routes of a ResilientService (timeouts, retries or routes) and no CanaryRelease (their Gateway API routes and a VirtualService together are undefined); a circuit breaker, pool or load balancing (a DestinationRule) is fine`);
    }
    ServiceTraffic.of(this, this.mesh, this.service).setFault([{
      match: headers.length ? { headers } : undefined,
      delay: props.delay ? { ms: millis(props.delay.fixedDelay), percent: props.delay.percent } : undefined,
      abort: props.abort ? { status: props.abort.httpStatus, percent: props.abort.percent } : undefined,
    }], this);
    this._enrolServices([this.service]);
  }
}

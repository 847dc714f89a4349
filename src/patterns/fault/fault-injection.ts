import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { FaultInjectionIntent } from './intent';
import { describeMatch, matchIntentOf } from '../../model/match-intent';
import { HeaderMatch, MatchType, RequestMatch } from '../../model/matches';
import { Mesh } from '../../model/mesh';
import { MatchIntent } from '../../model/route-intent';
import { ServiceRef } from '../../model/service';
import { covers, FaultIntent } from '../../model/traffic';
import { UnsupportedSettings } from '../../model/unsupported';
import { checkDuration, millis } from '../../private/duration';
import { ProblemList } from '../../private/errors';
import { MeshConstruct } from '../mesh-construct';
import { rendererFor } from '../renderers';
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
 * One fault rule: the requests it applies to, and a delay, an abort or both.
 */
export interface FaultRule {
  /**
   * The requests that get this rule's faults (all conditions must hold). The first rule whose match
   * holds applies, so a request gets the faults of one rule at most.
   * @default - every request not matched by an earlier rule (only the last rule, and only with `allowOnAllTraffic`)
   */
  readonly match?: RequestMatch;
  /**
   * Several fault rules, in order: the first whose match holds applies to a request (e.g. a 7 s delay for
   * one test user, then an HTTP 500 for 10 % of everyone else). Exclusive with `delay`, `abort` and `match`.
   * @default - one rule of `delay`, `abort` and `match`
   */
  readonly rules?: FaultRule[];
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
   * Several fault rules, in order: the first whose match holds applies to a request (e.g. a 7 s delay for
   * one test user, then an HTTP 500 for 10 % of everyone else). Exclusive with `delay`, `abort` and `match`.
   * @default - one rule of `delay`, `abort` and `match`
   */
  readonly rules?: FaultRule[];
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
 * optionally only for requests that carry a header, or several ordered rules (`rules`), the first
 * matching rule applying to a request. Istio writes it into the service's VirtualService
 * (with any ResilientService or CanaryRelease of the same service); Linkerd and Consul have no fault
 * injection, and synthesis fails saying so.
 *
 * @example
 * import { Duration } from 'cdk8s';
 * import { FaultInjection, HeaderMatch, Mesh, ServiceRef } from 'cdk8s-mesh';
 *
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
    const renderer = rendererFor(this, this.mesh, 'fault');
    const problems = new ProblemList(this);
    this.service = this._requireService(props.service);
    for (const p of this.service._problems('service')) problems.addRaw(p);
    const given = props.rules !== undefined;
    if (given && (props.delay || props.abort || props.match)) {
      problems.add('rules', `${Array.isArray(props.rules) ? props.rules.length : props.rules} rule(s)`, 'rules and delay/abort/match exclude each other', 'put the delay, abort and match into a rule of rules');
    }
    if (given && (!Array.isArray(props.rules) || !props.rules.length)) {
      problems.add('rules', props.rules, 'rules is a non-empty list of fault rules', 'use e.g. rules: [{ match: { headers: [...] }, delay: { fixedDelay: Duration.seconds(7), percent: 100 } }]');
    }
    problems.throwIfAny();
    const rules: { prop: string; rule: FaultRule }[] = given
      ? props.rules!.map((rule, i) => ({ prop: `rules[${i}].`, rule }))
      : [{ prop: '', rule: { delay: props.delay, abort: props.abort, match: props.match?.length ? { headers: props.match } : undefined } }];
    const faults: FaultIntent[] = rules.map(({ prop, rule }) => this.faultOf(problems, prop, rule ?? {}, given));
    faults.forEach((f, i) => {
      if (!f.match && !props.allowOnAllTraffic) {
        problems.add(given ? `rules[${i}].match` : 'match', given ? undefined : props.match, 'without a header match, every caller of the service gets the faults: an outage on purpose',
          `limit them to test requests with ${given ? 'match: { headers: [...] }' : 'match: [HeaderMatch.exact(\'x-chaos\', \'true\')]'}, or set allowOnAllTraffic: true`);
      }
      // the first matching rule applies: a rule that an earlier one covers never applies
      const earlier = faults.findIndex((e, j) => j < i && covers(e.match, f.match));
      if (given && earlier >= 0) {
        problems.add(`rules[${i}].match`, describeMatch(f.match), `rules[${earlier}] (${describeMatch(faults[earlier].match)}) matches every request this rule matches, and the first matching rule applies, so this rule never does`,
          `put rules[${i}] before rules[${earlier}], narrow rules[${earlier}], or remove rules[${i}]`);
      }
    });
    problems.throwIfAny();
    const intent: FaultInjectionIntent = {
      service: this.service,
      faults,
      first: { setting: `${rules[0].prop}${rules[0].rule.delay ? 'delay' : 'abort'}`, value: rules[0].rule.delay ? rules[0].rule.delay.percent : rules[0].rule.abort?.httpStatus },
    };
    this._askMesh(problems, renderer, intent);
    const unsupported = renderer.unsupported(intent, this._renderContext());
    // (with none unsupported, it throws the mesh's problems)
    this._handleUnsupported(problems, unsupported, props.unsupportedSettings === UnsupportedSettings.DROP_WITH_WARNING);
    renderer.render(this, intent, this._renderContext());
    ServiceTraffic.of(this, this.mesh, this.service).setFault(faults, this);
    this._enrolServices([this.service]);
  }

  private faultOf(problems: ProblemList, prop: string, rule: FaultRule, given: boolean): FaultIntent {
    if (!rule.delay && !rule.abort) problems.add(`${prop}delay`, undefined, 'a fault injection needs a delay, an abort or both', 'set delay: { fixedDelay, percent } or abort: { httpStatus, percent }');
    const percent = (p: string, v: unknown) => {
      if (typeof v !== 'number' || !(v > 0) || v > 100) problems.add(p, v, 'a share of requests is a percentage above 0 and at most 100', `use e.g. ${p.replace(/^rules\[\d+\]\./, '')}: 10`);
    };
    if (rule.delay) {
      checkDuration(problems, `${prop}delay.fixedDelay`, rule.delay.fixedDelay);
      percent(`${prop}delay.percent`, rule.delay.percent);
    }
    if (rule.abort) {
      const s = rule.abort.httpStatus;
      if (!Number.isInteger(s) || s < 200 || s > 599) problems.add(`${prop}abort.httpStatus`, s, 'an abort status is a whole number from 200 to 599', 'use e.g. 503');
      percent(`${prop}abort.percent`, rule.abort.percent);
    }
    let match: MatchIntent | undefined;
    if (given) {
      match = matchIntentOf(problems, `${prop}match`, rule.match);
    } else {
      // the single-rule form: match is a list of headers
      const headers = (rule.match?.headers ?? []).map((h, i) => {
        const problem = h instanceof HeaderMatch ? h._problem() : 'not a HeaderMatch';
        if (problem) problems.add(`match[${i}]`, h instanceof HeaderMatch ? h.name : h, problem, "use HeaderMatch.exact('x-chaos', 'true')");
        return { name: String(h?.name ?? '').toLowerCase(), type: h?.type ?? MatchType.EXACT, value: h?.value ?? '' };
      });
      match = headers.length ? { headers } : undefined;
    }
    const isAll = !match || (!match.path && !match.methods && !match.headers.length && !match.query?.length);
    return {
      match: isAll ? undefined : match,
      delay: rule.delay ? { ms: millis(rule.delay.fixedDelay), percent: rule.delay.percent } : undefined,
      abort: rule.abort ? { status: rule.abort.httpStatus, percent: rule.abort.percent } : undefined,
    };
  }
}

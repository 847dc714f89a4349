import { Construct, IConstruct } from 'constructs';
import { VersionedRoutingIntent } from './intent';
import { RequestMatch } from './props';
import { describeMatch, matchIntentOf } from '../../model/match-intent';
import { Mesh } from '../../model/mesh';
import { ServiceRef } from '../../model/service';
import { covers, intersect, RoutingIntent, VersionIntent, VersionRuleIntent, WeightedVersion } from '../../model/traffic';
import { UnsupportedSettings } from '../../model/unsupported';
import { ProblemList, propMessage, show } from '../../private/errors';
import { PodTemplate, requireObject } from '../../private/k8s-objects';
import { sortKeys } from '../../private/metadata';
import { isDns1123Label, labelKeyProblem } from '../../private/names';
import { MeshConstruct } from '../mesh-construct';
import { RenderContext, rendererFor, RoutingRenderer } from '../renderers';
import { ServiceTraffic } from '../traffic/service-traffic';

export * from './props';

const KPLUS_ADDRESS_LABEL = 'cdk8s.io/metadata.addr';

/**
 * Options of a service version.
 */
export interface ServiceVersionOptions {
  /**
   * The pod label that carries the version.
   * @default 'version'
   */
  readonly labelKey?: string;
}

/**
 * One version of a service: the pods that run it, by a version label, by their Deployment, or by a
 * Service of their own.
 *
 * @example
 * import { ServiceRef, ServiceVersion } from 'cdk8s-mesh';
 *
 * ServiceVersion.of('v1');                                  // pods labelled version=v1
 * ServiceVersion.fromDeployment(paymentV2, 'v2');           // labels the Deployment's pods version=v2
 * ServiceVersion.fromService(ServiceRef.fromName('payment-v3', { port: 8080, selector: { app: 'payment', version: 'v3' } }), 'v3');
 */
export class ServiceVersion {
  /** The pods labelled `<labelKey>=<name>` (and selected by the service). */
  public static of(name: string, options: ServiceVersionOptions = {}): ServiceVersion {
    return new ServiceVersion(name, options.labelKey ?? 'version', undefined, undefined);
  }

  /**
   * The pods of a Deployment (of any cdk8s-plus 2.x package, an imported `KubeDeployment` or an `ApiObject`
   * of kind `Deployment`): the version label is added to its pod template (and, on Consul, the
   * `consul.hashicorp.com/service-meta-<labelKey>` annotation that subset filters read).
   */
  public static fromDeployment(deployment: IConstruct, name: string, options: ServiceVersionOptions = {}): ServiceVersion {
    requireObject(deployment, ['Deployment', 'StatefulSet', 'DaemonSet'], 'apps/v1', 'ServiceVersion.fromDeployment(deployment)',
      `pass the Deployment object of version ${name}, or use ServiceVersion.of('${name}') and label its pods yourself`);
    return new ServiceVersion(name, options.labelKey ?? 'version', PodTemplate.of(deployment), undefined);
  }

  /**
   * The pods a Service of this version selects (e.g. `reviews-v3`): Linkerd and Istio ambient route to
   * that Service, Istio sidecars to a subset of its selector. Not on Consul, whose subsets are
   * Service.Meta filters of one Consul service.
   */
  public static fromService(service: ServiceRef, name: string): ServiceVersion {
    return new ServiceVersion(name, '', undefined, service);
  }

  private constructor(public readonly name: string, public readonly labelKey: string,
    private readonly deployment: PodTemplate | undefined, private readonly service: ServiceRef | undefined) {}

  /** @internal */
  public _deployment(): PodTemplate | undefined {
    return this.deployment;
  }

  /** @internal */
  public _service(): ServiceRef | undefined {
    return this.service;
  }
}

/**
 * A version and its whole-percent share of requests.
 */
export interface VersionWeight {
  /** The version's name. */
  readonly version: string;
  /** Whole percent of requests, 0 to 100 (the weights of a split sum to 100). */
  readonly weight: number;
}

/**
 * Requests that go to one version, or to a weighted set of versions.
 */
export interface VersionRoute {
  /**
   * The route's name (the routes written for it are named after it).
   * @default - `route-<n>`, n its position from 1
   */
  readonly name?: string;
  /** The requests this route takes (the first route that matches a request takes it). */
  readonly match: RequestMatch;
  /**
   * The version that serves them. Exactly one of `version` and `split`.
   * @default - `split`
   */
  readonly version?: string;
  /**
   * Versions and their shares (summing to 100). Exactly one of `version` and `split`.
   * @default - `version`
   */
  readonly split?: VersionWeight[];
}

/**
 * A share of requests copied to a version (responses discarded).
 */
export interface VersionMirror {
  /** The version that gets the copies. */
  readonly version: string;
  /** The share of requests copied, in percent (above 0, at most 100). */
  readonly percent: number;
}

/**
 * Props of a VersionedRouting.
 */
export interface VersionedRoutingProps {
  /** The mesh to write configuration for. */
  readonly mesh: Mesh;
  /** The logical service that callers use; it must select the pods of every version. */
  readonly service: ServiceRef;
  /** The versions (any number); their pods must be disjoint. */
  readonly versions: ServiceVersion[];
  /**
   * Routes by request, in order: the first that matches a request decides where it goes.
   * @default - none: every request follows `defaultSplit`
   */
  readonly routes?: VersionRoute[];
  /**
   * Where every other request goes: versions and their shares, summing to 100.
   * @default - every request to the first version
   */
  readonly defaultSplit?: VersionWeight[];
  /**
   * Copies of a share of requests sent to a version as well (Istio only; not on routes that only send to that version).
   * @default - no mirroring
   */
  readonly mirror?: VersionMirror;
  /**
   * What to do with settings the mesh cannot express (the mirror on Linkerd and Consul).
   * @default UnsupportedSettings.FAIL
   */
  readonly unsupportedSettings?: UnsupportedSettings;
}

/**
 * Routing of a service between any number of versions: ordered routes by header, cookie, query, path and
 * method, each to one version or a weighted set, a default weighted split, and a mirror. Written into the
 * service's routing objects shared with ResilientService and FaultInjection: Istio VirtualService and
 * DestinationRule subsets, Gateway API HTTPRoutes to per-version Services on Istio ambient and Linkerd,
 * Consul ServiceRouter, ServiceSplitter and ServiceResolver subsets.
 *
 * @example
 * import { HeaderMatch, Mesh, ServiceRef, ServiceVersion, VersionedRouting } from 'cdk8s-mesh';
 *
 * new VersionedRouting(chart, 'reviews-routing', {
 *   mesh: Mesh.istio(),
 *   service: ServiceRef.fromName('reviews', { port: 9080 }),
 *   versions: [ServiceVersion.of('v1'), ServiceVersion.of('v2'), ServiceVersion.of('v3')],
 *   routes: [{ match: { headers: [HeaderMatch.exact('end-user', 'jason')] }, version: 'v2' }],
 *   defaultSplit: [{ version: 'v1', weight: 50 }, { version: 'v3', weight: 50 }],
 * });
 */
export class VersionedRouting extends MeshConstruct {
  /** The service. */
  public readonly service: ServiceRef;

  constructor(scope: Construct, id: string, props: VersionedRoutingProps) {
    super(scope, id, props?.mesh);
    // a mesh without a routing renderer is refused here, before anything mesh-specific is read
    const renderer = rendererFor(this, this.mesh, 'routing');
    const problems = new ProblemList(this);
    this.service = this._requireService(props.service);
    for (const p of this.service._problems('service')) problems.addRaw(p);
    const versions = this.versionIntents(problems, renderer, props.versions);
    problems.throwIfAny();
    this.checkPodSelection(problems, versions);
    const byName = new Map(versions.map(v => [v.intent.name, v.intent]));

    const split = (prop: string, given: VersionWeight[] | undefined): WeightedVersion[] => {
      if (!Array.isArray(given) || !given.length) {
        problems.add(prop, given, 'a split is a non-empty list of { version, weight }', `use e.g. [{ version: '${versions[0].intent.name}', weight: 100 }]`);
        return [];
      }
      const out: WeightedVersion[] = [];
      given.forEach((w, i) => {
        const v = this.versionNamed(problems, `${prop}[${i}].version`, w?.version, byName);
        if (!Number.isInteger(w?.weight) || w.weight < 0 || w.weight > 100) problems.add(`${prop}[${i}].weight`, w?.weight, 'a weight is a whole percentage from 0 to 100', 'use e.g. 50');
        if (v && out.some(o => o.version.name === v.name)) problems.add(`${prop}[${i}].version`, w.version, 'the split already names this version', 'name each version once');
        if (v) out.push({ version: v, weight: w.weight });
      });
      const sum = given.reduce((n, w) => n + (typeof w?.weight === 'number' ? w.weight : 0), 0);
      if (given.every(w => Number.isInteger(w?.weight)) && sum !== 100) {
        problems.add(prop, given.map(w => `${w.version}: ${w.weight}`).join(', '), `the weights sum to ${sum}, not 100`, 'make the weights of the split sum to exactly 100');
      }
      return out;
    };

    // routes
    if (props.routes !== undefined && !Array.isArray(props.routes)) {
      problems.add('routes', props.routes, 'routes is a list', "use e.g. routes: [{ match: { headers: [HeaderMatch.exact('end-user', 'jason')] }, version: 'v2' }]");
      problems.throwIfAny();
    }
    const names = new Map<string, number>();
    const rules: VersionRuleIntent[] = [];
    (props.routes ?? []).forEach((r, i) => {
      const prop = `routes[${i}]`;
      const name = r?.name ?? `route-${i + 1}`;
      if (!isDns1123Label(name, 40) || name === 'default') {
        problems.add(`${prop}.name`, name, 'a route name is a DNS-1123 label of at most 40 characters, other than "default"', "use e.g. 'jason'");
      } else if (names.has(name)) {
        problems.add(`${prop}.name`, name, `routes[${names.get(name)}] has the same name`, 'give each route its own name');
      }
      names.set(name, i);
      const match = matchIntentOf(problems, `${prop}.match`, r?.match);
      if (r?.match && match && !match.path && !match.methods && !match.headers.length && !match.query?.length) {
        problems.add(`${prop}.match`, r.match, 'a route matches some requests: one with no condition takes every request, and defaultSplit says where those go', 'add a condition (headers, cookies, queryParams, path, methods), or use defaultSplit');
      } else if (!r?.match) {
        problems.add(`${prop}.match`, r?.match, 'a route needs a match', "use e.g. { headers: [HeaderMatch.exact('end-user', 'jason')] }");
      }
      if ((r?.version === undefined) === (r?.split === undefined)) {
        problems.add(prop, r?.version ?? r?.split, 'a route sends to one version or a weighted split: exactly one of version and split', `use version: '${versions[0].intent.name}' or split: [...]`);
        return;
      }
      let to: WeightedVersion[];
      if (r.version !== undefined) {
        const v = this.versionNamed(problems, `${prop}.version`, r.version, byName);
        to = v ? [{ version: v, weight: 100 }] : [];
      } else {
        to = split(`${prop}.split`, r.split);
        // (a split with a version to send to is a list; its other entries may be anything)
        const given = () => ({ setting: `${prop}.split`, value: r.split!.map(w => `${w?.version}: ${w?.weight}`).join(', ') });
        const refusals = to.length && renderer.routeSplitUnsupported ? renderer.routeSplitUnsupported(given(), to) : [];
        for (const u of refusals) problems.add(u.setting, u.value, `${this.mesh.displayName} cannot express this (${u.why})`, u.alternative);
      }
      if (match && to.length) rules.push({ name, source: prop, match, to });
    });
    problems.throwIfAny();
    this.checkOrder(problems, renderer, rules);

    const defaultSplit = props.defaultSplit === undefined ? [{ version: versions[0].intent, weight: 100 }] : split('defaultSplit', props.defaultSplit);
    let mirror: RoutingIntent['mirror'];
    if (props.mirror !== undefined && (typeof props.mirror !== 'object' || props.mirror === null)) {
      problems.add('mirror', props.mirror, 'a mirror is { version, percent }', `use e.g. mirror: { version: '${versions[0].intent.name}', percent: 10 }`);
    } else if (props.mirror !== undefined) {
      const v = this.versionNamed(problems, 'mirror.version', props.mirror?.version, byName);
      const p = props.mirror?.percent;
      if (typeof p !== 'number' || !(p > 0) || p > 100) problems.add('mirror.percent', p, 'a mirrored share is a percentage above 0 and at most 100', 'use e.g. percent: 10');
      if (v) mirror = { version: v, percent: p };
    }
    problems.throwIfAny();

    // what the mesh cannot express
    const heaviest = defaultSplit.reduce((a, b) => (b.weight > a.weight ? b : a));
    const given: VersionedRoutingIntent = {
      service: this.service,
      namespace: this.service._namespaceFrom(this),
      versions: versions.map(v => ({ version: v.intent, ownService: v.version._service() })),
      routing: { versions: versions.map(v => v.intent), rules, split: defaultSplit, mirror, defaultVersion: heaviest.version },
    };
    const context = this._renderContext();
    this._askMesh(problems, renderer, given);
    const unsupported = renderer.unsupported(given, context);
    const note = this._handleUnsupported(problems, unsupported, props.unsupportedSettings === UnsupportedSettings.DROP_WITH_WARNING);
    const dropped = note ? unsupported.map(u => u.setting) : [];
    const intent: VersionedRoutingIntent = dropped.includes('mirror') ? { ...given, routing: { ...given.routing, mirror: undefined } } : given;
    mirror = intent.routing.mirror;

    // a version that no route, weight or mirror sends requests to
    for (const { intent: v } of versions) {
      const used = [...rules.flatMap(r => r.to), ...defaultSplit].some(t => t.version.name === v.name && t.weight > 0)
        || mirror?.version.name === v.name;
      if (!used) this._warn(`version ${v.name} gets no requests: no route and no weight of defaultSplit sends to it (its pods stay idle); route some requests to it, or remove it from versions`);
    }

    const traffic = ServiceTraffic.of(this, this.mesh, this.service);
    traffic.setRouting(intent.routing, this, note);
    this.prepareVersions(renderer, versions, context);
    this._enrolServices([this.service, ...versions.map(v => v.version._service())], versions.map(v => v.version._deployment()));
    renderer.render(this, intent, context);
  }

  private versionNamed(problems: ProblemList, prop: string, name: unknown, byName: Map<string, VersionIntent>): VersionIntent | undefined {
    const v = typeof name === 'string' ? byName.get(name) : undefined;
    if (!v) problems.add(prop, name, `no such version (the versions are ${[...byName.keys()].join(', ')})`, 'name one of versions, or add it to versions');
    return v;
  }

  private versionIntents(problems: ProblemList, renderer: RoutingRenderer, given: ServiceVersion[]): { version: ServiceVersion; intent: VersionIntent }[] {
    if (!Array.isArray(given) || !given.length) {
      problems.add('versions', given, 'routing needs at least one version', "use versions: [ServiceVersion.of('v1'), ServiceVersion.of('v2')]");
      return [];
    }
    const selector = this.service.selector;
    const out: { version: ServiceVersion; intent: VersionIntent }[] = [];
    given.forEach((v, i) => {
      const prop = `versions[${i}]`;
      if (!(v instanceof ServiceVersion)) {
        problems.add(prop, v, 'not a ServiceVersion', "use ServiceVersion.of('v1'), ServiceVersion.fromDeployment(deployment, 'v1') or ServiceVersion.fromService(service, 'v1')");
        return;
      }
      if (!isDns1123Label(v.name, 40)) {
        problems.add(`${prop}.name`, v.name, 'a version is used as a subset and Service name suffix: a DNS-1123 label of at most 40 characters', "use e.g. 'v2'");
        return;
      }
      const same = out.findIndex(o => o.intent.name === v.name);
      if (same >= 0) problems.add(`${prop}.name`, v.name, `versions[${same}] has the same name`, 'give each version its own name');
      const svc = v._service();
      if (svc) {
        const refusals = renderer.serviceVersionUnsupported?.({ setting: prop, value: `ServiceVersion.fromService(${svc.name}, '${v.name}')` }, v.name, svc) ?? [];
        for (const u of refusals) problems.add(u.setting, u.value, `${this.mesh.displayName} cannot express this (${u.why})`, u.alternative);
        if (refusals.length) return;
        for (const p of svc._problems(`${prop}.service`)) problems.addRaw(p);
        for (const p of renderer.serviceVersionProblems?.(prop, svc, this.service) ?? []) problems.add(p.prop, p.value, p.why, p.fix);
        out.push({ version: v, intent: { name: v.name, labels: { ...svc.selector }, versionKey: '', versionValue: v.name, backendService: svc.name } });
        return;
      }
      if (typeof v.labelKey !== 'string' || labelKeyProblem(v.labelKey)) {
        problems.add(`${prop}.labelKey`, v.labelKey, `not a valid label key (${labelKeyProblem(v.labelKey) ?? 'a string'})`, "use e.g. 'version'");
        return;
      }
      if (Object.prototype.hasOwnProperty.call(selector, v.labelKey)) {
        problems.add(`${prop}.labelKey`, v.labelKey, `the service selects its pods by ${v.labelKey}: ${show(selector[v.labelKey])}, so a version label on the same key would replace it and the version would select no pods`,
          `use a key the selector does not use, e.g. ServiceVersion.of('${v.name}', { labelKey: '${v.labelKey === 'version' ? 'track' : 'version'}' })`);
        return;
      }
      const meshProblems = renderer.versionLabelKeyProblems?.(`${prop}.labelKey`, v.labelKey) ?? [];
      for (const p of meshProblems) problems.add(p.prop, p.value, p.why, p.fix);
      if (meshProblems.length) return;
      out.push({ version: v, intent: { name: v.name, labels: { ...selector, [v.labelKey]: v.name }, versionKey: v.labelKey, versionValue: v.name, backendService: `${this.service.name}-${v.name}` } });
    });
    // two versions whose labels do not differ on a shared key can both select one pod
    out.forEach((a, i) => {
      const b = out.slice(0, i).find(x => !Object.keys(a.intent.labels).some(k => k in x.intent.labels && x.intent.labels[k] !== a.intent.labels[k]));
      if (b) {
        problems.add(`versions[${given.indexOf(a.version)}]`, sortKeys(a.intent.labels), `versions[${given.indexOf(b.version)}] (${b.intent.name}) selects ${show(sortKeys(b.intent.labels))}, and a pod with both sets of labels would be in both versions and serve the requests of each`,
          'select the versions by one label key with a different value each (e.g. version: v1, version: v2)');
      }
    });
    return out;
  }

  /**
   * Routes in order: a route that an earlier one covers never takes a request. On a mesh that does not take
   * the first matching route (the renderer's `precedence`: Gateway API HTTPRoutes on Linkerd and Istio
   * ambient take the most specific), two routes to different versions whose matches overlap must be in an
   * order that the precedence keeps.
   */
  private checkOrder(problems: ProblemList, renderer: RoutingRenderer, rules: VersionRuleIntent[]): void {
    const precedence = renderer.precedence;
    const target = (r: VersionRuleIntent) => JSON.stringify(r.to.filter(t => t.weight > 0).map(t => [t.version.name, t.weight]).sort());
    rules.forEach((later, j) => rules.slice(0, j).forEach(earlier => {
      if (covers(earlier.match, later.match)) {
        problems.add(`${later.source}.match`, describeMatch(later.match), `${earlier.source} (${describeMatch(earlier.match)}) matches every request this route matches, and the first matching route takes it, so this route never does`,
          `put ${later.source} before ${earlier.source}, narrow ${earlier.source}, or remove ${later.source}`);
        return;
      }
      if (!precedence || target(earlier) === target(later) || 'empty' in intersect(earlier.match, later.match)) return;
      const order = precedence.outranks(later.match, earlier.match);
      if (order !== undefined) {
        problems.add(`${later.source}.match`, describeMatch(later.match),
          `${this.mesh.displayName} ${precedence.routesBy} (${order}): `
          + `a request that matches both this route and ${earlier.source} (${describeMatch(earlier.match)}) would go to this route's versions`,
          `make ${earlier.source} at least as specific (add this route's path, method or conditions to it), or add a route for the requests that match both ahead of both`);
      }
    }));
    problems.throwIfAny();
  }

  /**
   * Each version given by its Deployment is the service's selector plus the version label: the
   * Deployment's pods must carry the selector's labels (read at synthesis, as they may be added later),
   * must not carry another value of the version label (relabelling them would take them out of that
   * version, and out of a Deployment selector that holds it: the API server rejects a template its
   * selector does not match), and the service must not select by cdk8s-plus's per-Deployment label
   * (the other versions' pods never have it). Otherwise a version has no endpoints: 503 on Istio, a
   * per-version Service without endpoints on Linkerd and ambient, an empty subset on Consul.
   */
  private checkPodSelection(problems: ProblemList, versions: { version: ServiceVersion; intent: VersionIntent }[]): void {
    const byDeployment = versions.filter(v => v.version._deployment() && !v.version._service());
    if (!byDeployment.length) return;
    const selector = this.service.selector;
    const fix = 'create the Deployments with select: false and a shared label, select their pods and the Service by it '
      + "(new kplus.Deployment(this, 'reviews-v2', { select: false, podMetadata: { labels: { app: 'reviews' } }, ... }); "
      + "new kplus.Service(this, 'reviews', { selector: kplus.Pods.select(this, 'pods', { labels: { app: 'reviews' } }), ... }))";
    if (versions.length > 1 && Object.prototype.hasOwnProperty.call(selector, KPLUS_ADDRESS_LABEL)) {
      problems.add('service.selector', { [KPLUS_ADDRESS_LABEL]: selector[KPLUS_ADDRESS_LABEL] },
        `the service selects its pods by cdk8s-plus's default label ${KPLUS_ADDRESS_LABEL}, which is unique to one Deployment, so the pods of the other versions never match their version and their share of requests fails`, fix);
      problems.throwIfAny();
    }
    for (const { version, intent } of byDeployment) {
      const d = version._deployment()!;
      const held = d.labels()[intent.versionKey] ?? d.matchLabels()[intent.versionKey];
      if (held !== undefined && held !== intent.versionValue) {
        problems.add(`versions[${versions.findIndex(v => v.version === version)}]`, `ServiceVersion.fromDeployment(${d.api.name}, '${intent.name}')`,
          `the Deployment's pods are labelled ${intent.versionKey}: ${held}, and relabelling them ${intent.versionKey}: ${intent.versionValue} would move them out of version ${held} (and out of a Deployment selector that holds ${intent.versionKey}: ${held})`,
          `pass the Deployment of version ${intent.versionValue}, or name the version ${held}`);
      }
    }
    problems.throwIfAny();
    // the Deployments' labels at synthesis (they may be added after the routing is created)
    this.node.addValidation({
      validate: () => {
        const now = this.service.selector;
        return byDeployment.flatMap(({ version, intent }) => {
          const d = version._deployment()!;
          const labels = d.labels();
          const missing = Object.entries(now).filter(([k, value]) => labels[k] !== value);
          if (!missing.length) return [];
          const list = missing.map(([k, value]) => `${k}: ${value}`).join(', ');
          return [`${propMessage(`versions[${versions.findIndex(v => v.version === version)}]`, `ServiceVersion.fromDeployment(${d.api.name}, '${intent.name}')`,
            `the Deployment's pods lack the label${missing.length > 1 ? 's' : ''} ${list} that the service ${this.service.name} selects by, so the ${intent.name} version has no endpoints and its share of requests fails`,
            missing.some(([k]) => k === KPLUS_ADDRESS_LABEL) ? fix : `add ${list} to the pod template's labels`)}`];
        });
      },
    });
  }

  /** The version label on the versions' Deployments, and the mesh's marks on their pods. */
  private prepareVersions(renderer: RoutingRenderer, versions: { version: ServiceVersion; intent: VersionIntent }[], context: RenderContext) {
    for (const { version, intent } of versions) {
      if (version._service()) continue;
      const d = version._deployment();
      if (d) d.addLabel(intent.versionKey, intent.versionValue);
      renderer.prepareVersion?.(d, intent, context, 'ServiceVersion.fromDeployment');
    }
  }
}

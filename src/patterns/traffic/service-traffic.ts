import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { TrafficContributor, TrafficTarget } from './intent';
import { Mesh } from '../../model/mesh';
import { MatchIntent } from '../../model/route-intent';
import { ServiceRef } from '../../model/service';
import { CanaryIntent, FailoverIntent, FaultIntent, intersect, RoutingIntent, RoutingResilience, routingOf, TrafficModel } from '../../model/traffic';
import { addShared } from '../../private/contributions';
import { addDroppedNote, droppedEntries, markJoined } from '../../private/dropped';
import { meshError } from '../../private/errors';
import { emitWarning } from '../../private/synthesis';
import { MeshConstruct } from '../mesh-construct';
import { meshIdOf, RenderContext, sameMesh, TrafficRenderer, trafficRendererFor } from '../renderers';

type Contributor = TrafficContributor;

/**
 * The routing objects of one service in one chart (Istio VirtualService and DestinationRule, Linkerd
 * HTTPRoutes, Consul ServiceRouter, ServiceSplitter and ServiceResolver). Every pattern that shapes
 * the service's traffic (ResilientService, CanaryRelease) contributes to this one set, so that a
 * service never gets two VirtualServices or two ServiceRouters.
 */
export class ServiceTraffic extends Construct implements TrafficTarget {
  /** The traffic of `service` in the chart of `scope`, created on first use. */
  public static of(scope: Construct, mesh: Mesh, service: ServiceRef): ServiceTraffic {
    const chart = Chart.of(scope);
    const namespace = service._namespaceFrom(scope);
    // one per mesh (told apart by its renderers: sameMesh), service and chart
    const base = `Traffic-${meshIdOf(mesh)}-${namespace ?? ''}-${service.name}`;
    let id = base;
    for (let n = 2; chart.node.tryFindChild(id); n++) {
      const existing = chart.node.tryFindChild(id) as ServiceTraffic;
      if (sameMesh(existing.mesh, mesh)) {
        if (existing.service.port !== service.port) {
          throw meshError(`[${scope.node.path}] service.port: got ${service.port}, but another construct configures ${service.name} on port ${existing.service.port}; use one port per service for its routing`);
        }
        return existing;
      }
      id = `${base}-${n}`;
    }
    return new ServiceTraffic(chart, id, mesh, service, namespace);
  }

  /** The mesh. */
  public readonly mesh: Mesh;
  /** The service. */
  public readonly service: ServiceRef;
  /** The service's namespace. */
  public readonly namespace?: string;
  private resilience?: { value: RoutingResilience; by: string };
  private canary?: { value: CanaryIntent; by: string };
  private fault?: { value: FaultIntent[]; by: string };
  private routing?: { value: RoutingIntent; by: string };
  private failover?: { value: FailoverIntent; by: string };
  private readonly dropped: { note: string; from: Contributor }[] = [];
  private contributor = '';
  private renderer?: TrafficRenderer;

  private constructor(scope: Construct, id: string, mesh: Mesh, service: ServiceRef, namespace: string | undefined) {
    super(scope, id);
    this.mesh = mesh;
    this.service = service;
    this.namespace = namespace;
  }

  /** Sets the resilience part (one ResilientService per service). */
  public setResilience(value: RoutingResilience, by: Construct, droppedNote?: string): void {
    const context = this.joining(by, 'resilience');
    if (this.resilience) {
      throw meshError(`[${by.node.path}] service: got ${this.service.name}, but [${this.resilience.by}] already configures its resilience; use one ResilientService per service (routes can differ per path with \`routes\`)`);
    }
    this.resilience = { value, by: by.node.path };
    addShared(by, this);
    this.contributor = by.node.path;
    this.checkJoin(by.node.path, context);
    this.addDropped(droppedNote, 'resilience');
    this.update(context);
  }

  /** Sets the fault part (one FaultInjection per service): its rules, in order. */
  public setFault(value: FaultIntent[], by: Construct): void {
    const context = this.joining(by, 'fault');
    if (this.fault) {
      throw meshError(`[${by.node.path}] service: got ${this.service.name}, but [${this.fault.by}] already injects faults into it; one FaultInjection per service`);
    }
    this.fault = { value, by: by.node.path };
    addShared(by, this);
    this.contributor = by.node.path;
    this.checkJoin(by.node.path, context);
    this.update(context);
  }

  /** Adds remote clusters to fail over to (MultiClusterExport), with the export's dropped-settings note. */
  public addFailover(value: FailoverIntent, by: Construct, droppedNote?: string): void {
    const context = this.joining(by, 'multiCluster');
    if (this.failover && this.failover.value.localRegion !== value.localRegion) {
      throw meshError(`[${by.node.path}] service: got ${this.service.name}, but [${this.failover.by}] fails it over from region ${this.failover.value.localRegion}, not ${value.localRegion}; one local region per cluster`);
    }
    const remotes = [...(this.failover?.value.remotes ?? []), ...value.remotes.filter(r => !this.failover?.value.remotes.some(x => x.peer === r.peer))];
    this.failover = { value: { localRegion: value.localRegion, remotes }, by: this.failover?.by ?? by.node.path };
    addShared(by, this);
    this.contributor = by.node.path;
    this.checkJoin(by.node.path, context);
    this.addDropped(droppedNote, 'multiCluster');
    this.update(context);
  }

  /** Sets the canary part (one CanaryRelease per service). */
  public setCanary(value: CanaryIntent, by: Construct, droppedNote?: string): void {
    const context = this.joining(by, 'canary');
    if (this.canary) {
      throw meshError(`[${by.node.path}] service: got ${this.service.name}, but [${this.canary.by}] already releases it; one CanaryRelease per service`);
    }
    this.checkRoutingWithCanary(by.node.path, this.routing?.by);
    this.canary = { value, by: by.node.path };
    addShared(by, this);
    this.contributor = by.node.path;
    this.checkJoin(by.node.path, context);
    this.addDropped(droppedNote, 'canary');
    this.update(context);
  }

  /** Sets the version routing part (one VersionedRouting per service, and no CanaryRelease). */
  public setRouting(value: RoutingIntent, by: Construct, droppedNote?: string): void {
    const context = this.joining(by, 'routing');
    if (this.routing) {
      throw meshError(`[${by.node.path}] service: got ${this.service.name}, but [${this.routing.by}] already routes it between versions; one VersionedRouting per service (put every version and rule in it)`);
    }
    this.checkRoutingWithCanary(by.node.path, this.canary?.by);
    this.routing = { value, by: by.node.path };
    addShared(by, this);
    this.contributor = by.node.path;
    this.checkJoin(by.node.path, context);
    this.addDropped(droppedNote, 'routing');
    this.update(context);
  }

  /** The construct that set the version routing part, if any. */
  public get routingBy(): string | undefined {
    return this.routing?.by;
  }

  /** The construct path of the pattern whose contribution is being rendered (for messages). */
  public get contributorPath(): string {
    return this.contributor || this.node.path;
  }

  /** The construct that set the resilience part, if any. */
  public get resilienceBy(): string | undefined {
    return this.resilience?.by;
  }

  /** The construct that set the canary part, if any. */
  public get canaryBy(): string | undefined {
    return this.canary?.by;
  }

  /** The construct that set the fault part, if any. */
  public get faultBy(): string | undefined {
    return this.fault?.by;
  }

  /** The combined model, as the renderers read it. */
  public model(): TrafficModel {
    return {
      service: this.service,
      serviceName: this.service.name,
      namespace: this.namespace,
      host: this.service._fqdn(this, this.mesh.clusterDomain),
      port: this.service.port,
      protocol: this.service.protocol,
      resilience: this.resilience?.value,
      canary: this.canary?.value,
      routing: this.routing?.value,
      faults: this.fault?.value,
      failover: this.failover?.value,
    };
  }

  /** Adds an object made by a renderer: it gets the dropped-settings and step annotations. */
  public adopt(obj: ApiObject): void {
    this.annotate(obj);
  }

  /**
   * A pattern joins: the mesh's traffic renderer, or the uniform refusal of that pattern (its construct and
   * name: ServiceTraffic is no construct of the user's) when the mesh has none; and the context of the calls
   * made for it (its warnings: a MultiClusterExport renderer may join for a cluster's chart, whose warnings
   * are printed under the chart's path).
   */
  private joining(by: IConstruct, pattern: Contributor): RenderContext {
    this.renderer = trafficRendererFor(by, this.mesh, pattern);
    return { mesh: this.mesh, warn: MeshConstruct._warnerOf(by) ?? (m => emitWarning(by, `[${by.node.path}] ${m}`)) };
  }

  /**
   * The mesh's refusal of the contributions together (TrafficRenderer.joinProblem: on Istio ambient, faults
   * beside Gateway API routes), checked each time a pattern joins, before the matches are combined.
   */
  private checkJoin(by: string, context: RenderContext) {
    const problem = this.renderer!.joinProblem?.(this, this.model(), context);
    if (problem) throw meshError(`[${by}] service: got ${this.service.name}: ${problem}`);
  }

  /** A CanaryRelease and a VersionedRouting would both decide where the service's requests go. */
  private checkRoutingWithCanary(by: string, other: string | undefined) {
    if (!other) return;
    const [canary, routing] = this.canary ? [this.canary.by, by] : [by, other];
    throw meshError(`[${by}] service: got ${this.service.name}, but [${other}] already decides which version serves its requests: a CanaryRelease ([${canary}]) and a VersionedRouting ([${routing}]) cannot both route one service; `
      + 'release the new version inside the VersionedRouting (add it to versions and move defaultSplit weights step by step), or finish the release before routing by version');
  }

  private addDropped(note: string | undefined, from: Contributor) {
    if (note) this.dropped.push({ note, from });
  }

  /**
   * Every route is the intersection of a fault rule, a version route and a resilience rule: the meshes
   * hold one condition per header or query name, so two different conditions on one name where one is a
   * regular expression (or both paths are) cannot be one route. Checked here, when a pattern joins, so
   * that the error names it (the routes are rendered lazily).
   */
  private checkCombinable(by: string) {
    const m = this.model();
    const faults = (m.faults ?? []).filter(f => f.match).map((f, i) => ({ what: `[${this.fault!.by}] rules[${i}]`, match: f.match }));
    const routing = routingOf(m);
    const versions = (routing?.rules ?? []).map(r => ({ what: `[${this.routing?.by ?? this.canary?.by}] ${r.source}`, match: r.match as MatchIntent | undefined }));
    const rules = (m.resilience?.rules ?? []).map(r => ({ what: `[${this.resilience!.by}] ${r.source}`, match: r.match }));
    const groups = [faults, versions, rules];
    for (let a = 0; a < groups.length; a++) {
      for (let b = a + 1; b < groups.length; b++) {
        for (const x of groups[a]) {
          for (const y of groups[b]) {
            const both = intersect(x.match, y.match);
            if ('inexpressible' in both) {
              throw meshError(`[${by}] service: got ${this.service.name}: ${x.what} and ${y.what} set two different conditions on one ${both.inexpressible}, and a route holds one condition per name (a request matching both gets a route of its own); `
                + 'use the same condition in both, or conditions on different names');
            }
          }
        }
      }
    }
  }

  /**
   * The mesh's refusal of the combined routes (TrafficRenderer.precedenceProblem: on Linkerd and Istio
   * ambient, a version route crossed with resilience rules that would swap which rule a request takes).
   */
  private checkCrossedPrecedence(by: string, context: RenderContext) {
    const problem = this.renderer!.precedenceProblem?.(this, this.model(), context);
    if (problem) throw meshError(`[${by}] service: got ${this.service.name}: ${problem}`);
  }

  /**
   * Renders again on each contribution (TrafficRenderer.render: the objects not written yet, their specs
   * read from the model at synthesis), then annotates every object.
   */
  private update(context: RenderContext) {
    this.checkCombinable(this.contributor);
    this.checkCrossedPrecedence(this.contributor, context);
    this.renderer!.render(this, () => this.model(), context);
    for (const child of this.node.children) {
      if (ApiObject.isApiObject(child)) this.annotate(child);
    }
  }

  private annotate(obj: ApiObject) {
    const renderer = this.renderer!;
    // each contributor's note lists `setting=value` entries; a renderer may keep only those that belong on
    // the object (the one the setting would have been written to); the notes are joined (addDroppedNote),
    // whichever contributor came first
    markJoined(obj);
    const model = this.model();
    for (const { note, from } of this.dropped) {
      const entries = droppedEntries(note);
      const own = renderer.droppedOn ? entries.filter(e => renderer.droppedOn!(obj, e.split('=')[0], from, model)) : entries;
      if (own.length) addDroppedNote(obj, own.join(', '));
    }
    for (const [k, v] of Object.entries(this.canary?.value.annotations ?? {})) obj.metadata.addAnnotation(k, v);
  }
}

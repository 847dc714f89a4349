import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterIntent, ExportIntent, MULTI_CLUSTER_OWNED, MultiClusterIntent, MultiClusterOwnedSetting } from './intent';
import { IstioMultiClusterMode, MeshClusterProps } from './props';
import { markChartCluster, MeshAnalysis } from '../../analysis/synth-check';
import { Identity, IdentityKind } from '../../model/identity';
import { Mesh } from '../../model/mesh';
import { ServiceRef } from '../../model/service';
import { UnsupportedSettings } from '../../model/unsupported';
import { assignedCluster, clustersAssigned } from '../../private/clusters';
import { addShared } from '../../private/contributions';
import { meshError, ProblemList } from '../../private/errors';
import { dns1123LabelProblem, domainProblem, isDns1123Label } from '../../private/names';
import { MeshConstruct } from '../mesh-construct';
import { isEnrolledByRenderers, MeshNamespace, rendererFor, renderersOf, sameMesh } from '../renderers';
import { ServiceTraffic } from '../traffic/service-traffic';
import { ZeroTrustNamespace } from '../zero-trust/zero-trust-namespace';

export * from './props';

/**
 * A service one cluster exports to others.
 */
export interface ServiceExportProps {
  /** The service (as it runs in `cluster`). */
  readonly service: ServiceRef;
  /** The exporting cluster's name. */
  readonly cluster: string;
  /**
   * The consuming clusters' names. On Linkerd the service is mirrored into these clusters only (each
   * consumer's `Link` selects the Services exported to it); through the multicluster gateway, though, the
   * exported Service's policy admits every meshed client that reaches the gateway, whatever its cluster.
   */
  readonly consumers: string[];
  /**
   * The remote callers allowed in (service accounts of the consumer clusters).
   * @default - no authorization is written
   */
  readonly callers?: Identity[];
}

/**
 * Props of a MultiClusterExport.
 */
export interface MultiClusterExportProps {
  /** The mesh. */
  readonly mesh: Mesh;
  /** The clusters. */
  readonly clusters: MeshClusterProps[];
  /** The exported services. */
  readonly exports: ServiceExportProps[];
  /**
   * Consumers that run the service themselves prefer their local instances and fail over to the
   * exporter's (Istio locality failover with outlier detection; Consul resolver failover to the peer).
   * @default true
   */
  readonly failover?: boolean;
  /**
   * Istio only: how clusters discover each other (the other meshes refuse it, or drop it with
   * UnsupportedSettings.DROP_WITH_WARNING).
   * @default IstioMultiClusterMode.MULTI_PRIMARY
   */
  readonly istioMode?: IstioMultiClusterMode;
  /**
   * Istio only: write the east-west gateway's `Gateway` (`<root namespace>/cross-network-gateway`, port
   * 15443 `AUTO_PASSTHROUGH` for `*.local`) into each exporting cluster's chart. It is cluster
   * infrastructure shared by every app's exports: an app that writes it owns it (a GitOps prune or rename
   * of the app cuts every app's cross-network traffic, and a second app writing it fights over it).
   * @default false: not written; a warning gives the step (Istio's samples/multicluster/expose-services.yaml)
   */
  readonly istioEastWestGateway?: boolean;
  /**
   * Linkerd only: export for remote discovery (flat network, pod-to-pod) instead of through the gateway.
   * @default false
   */
  readonly linkerdRemoteDiscovery?: boolean;
  /**
   * Consul only: a sameness group of all the clusters, used for failover (Consul Enterprise).
   * @default - none: exports and failover name each peer
   */
  readonly consulSamenessGroup?: string;
  /**
   * What to do with settings the mesh cannot express: fail, or leave them out with a warning and a
   * `cdk8s-mesh.io/dropped-settings` annotation on the objects this pattern writes. Exports, callers, failover and gateway addresses are always refused (leaving one out would break cross-cluster calls); only the other mesh's settings (`consulSamenessGroup`, `linkerdRemoteDiscovery`, `istioMode`) can be left out.
   * @default UnsupportedSettings.FAIL
   */
  readonly unsupportedSettings?: UnsupportedSettings;
}

/**
 * Services exported across the clusters of one mesh: one chart per cluster (so a GitOps repository
 * gets one output per cluster), with what each cluster needs to export or consume, fail over, and let
 * remote callers in. Create it under an `App`: each cluster's chart is then a chart of the app named
 * after the cluster, written to its own file (`<cluster>.k8s.yaml`).
 *
 * @example
 * import { Identity, Mesh, MultiClusterExport } from 'cdk8s-mesh';
 *
 * new MultiClusterExport(app, 'shop', {
 *   mesh: Mesh.istio(),
 *   clusters: [
 *     { name: 'us-west', network: 'net-us', region: 'us-west1', services: [payment] },
 *     { name: 'eu-west', network: 'net-eu', region: 'europe-west1', services: [payment] },
 *   ],
 *   exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'], callers: [Identity.serviceAccount('order')] }],
 * });
 */
export class MultiClusterExport extends MeshConstruct {
  /** The chart of each cluster, by name. */
  private readonly charts = new Map<string, Chart>();

  constructor(scope: Construct, id: string, props: MultiClusterExportProps) {
    super(scope, id, props?.mesh);
    const renderer = rendererFor(this, this.mesh, 'multiCluster');
    const problems = new ProblemList(this);
    const names = new Set<string>();
    const clusters: ClusterIntent[] = (Array.isArray(props.clusters) ? props.clusters : []).map((c, i) => {
      const prop = `clusters[${i}]`;
      if (!isDns1123Label(c?.name)) problems.add(`${prop}.name`, c?.name, dns1123LabelProblem('a cluster name'), "use e.g. 'eu-west'");
      else if (names.has(c.name)) problems.add(`${prop}.name`, c.name, 'cluster names must be unique', 'rename the cluster');
      names.add(c?.name);
      for (const k of ['network', 'region'] as const) {
        if (typeof c?.[k] !== 'string' || !c[k]) problems.add(`${prop}.${k}`, c?.[k], `every cluster needs a ${k}`, k === 'network' ? "e.g. network: 'net-eu'" : "e.g. region: 'europe-west1'");
      }
      if (c?.trustDomain !== undefined) {
        const problem = domainProblem(c.trustDomain);
        if (problem) problems.add(`${prop}.trustDomain`, c.trustDomain, problem, `give the trust domain the cluster's mesh is installed with, e.g. '${isDns1123Label(c?.name) ? c.name : 'eu-west'}.example.com', or leave it out for the mesh's`);
      }
      const svcNames = new Set<string>();
      (c?.services ?? []).forEach((s, j) => {
        if (!(s instanceof ServiceRef)) return problems.add(`${prop}.services[${j}]`, s, 'not a service reference', "use ServiceRef.fromName('payment', { port: 8080 })");
        for (const p of s._problems(`${prop}.services[${j}]`)) problems.addRaw(p);
        const key = `${s.namespace ?? ''}/${s.name}`;
        if (svcNames.has(key)) problems.add(`${prop}.services[${j}]`, s.name, `${s.name} is listed twice in cluster ${c.name}`, 'list each service once');
        svcNames.add(key);
      });
      return { ...c, services: c?.services ?? [], trustDomain: c?.trustDomain ?? this.mesh.trustDomain, chart: c?.chart as Chart };
    });
    if (!Array.isArray(props.clusters)) {
      problems.add('clusters', props.clusters, 'a multi-cluster mesh lists its clusters', "pass clusters: [{ name: 'us-west', network: 'net-us', region: 'us-west1', services: [...] }, ...] (at least two)");
    } else if (clusters.length < 2) {
      problems.add('clusters', clusters.length, 'a multi-cluster mesh has at least two clusters', 'declare every cluster that exports or consumes');
    }
    // a chart is the output of one cluster: a chart given to two clusters (here, or by another MultiClusterExport)
    // would get both clusters' objects, and the enrolment and synthesis checks would take it for the last one's
    const chartOwner = new Map<Chart, number>();
    clusters.forEach((c, i) => {
      if (!(c.chart instanceof Chart)) return;
      const first = chartOwner.get(c.chart);
      const known = assignedCluster(c.chart);
      if (first !== undefined && clusters[first].name !== c.name) {
        problems.add(`clusters[${i}].chart`, `[${c.chart.node.path}]`, `clusters[${first}] (${clusters[first].name}) already writes into this chart, and a chart is the output of one cluster`,
          'give each cluster its own chart, or leave chart out for one of them (a chart named after the cluster is created)');
      } else if (known && known.cluster !== c.name) {
        problems.add(`clusters[${i}].chart`, `[${c.chart.node.path}]`, `the MultiClusterExport [${known.by}] already assigns this chart to cluster ${known.cluster}, and a chart is the output of one cluster, so ${c.name}'s objects would be written into ${known.cluster}'s output`,
          `name the cluster ${known.cluster} here too if it is the same cluster, else give ${c.name} its own chart`);
      }
      if (first === undefined) chartOwner.set(c.chart, i);
    });
    problems.throwIfAny();

    const byName = new Map(clusters.map(c => [c.name, c] as const));
    const exports: ExportIntent[] = (props.exports ?? []).map((e, i) => {
      const prop = `exports[${i}]`;
      const from = byName.get(e?.cluster);
      if (!from) problems.add(`${prop}.cluster`, e?.cluster, 'no such cluster', `use one of: ${[...byName.keys()].join(', ')}`);
      if (!(e?.service instanceof ServiceRef)) {problems.add(`${prop}.service`, e?.service, 'not a service reference', "use ServiceRef.fromName('payment', { port: 8080 })");} else if (from && !from.services.some(s => s.name === e.service.name && (s.namespace ?? '') === (e.service.namespace ?? ''))) {
        problems.add(`${prop}.service`, e.service.name, `cluster ${from.name} does not run ${e.service.name}, so it cannot export it`, `add it to clusters[${clusters.indexOf(from)}].services, or export it from the cluster that runs it`);
      }
      if (!e?.consumers?.length) problems.add(`${prop}.consumers`, e?.consumers, 'an export needs at least one consumer', "e.g. consumers: ['us-west']");
      const to = (e?.consumers ?? []).map((name, j) => {
        const c = byName.get(name);
        if (!c) problems.add(`${prop}.consumers[${j}]`, name, 'no such cluster: every consumer must be a declared cluster', `use one of: ${[...byName.keys()].join(', ')}`);
        else if (c === from) problems.add(`${prop}.consumers[${j}]`, name, 'a cluster does not export to itself', 'remove it');
        return c;
      }).filter((c): c is ClusterIntent => !!c);
      (e?.callers ?? []).forEach((caller, j) => {
        const problem = caller instanceof Identity
          ? caller._problem() ?? (caller.kind !== IdentityKind.SERVICE_ACCOUNT ? 'remote callers are service accounts' : undefined) : 'not an Identity';
        if (problem) problems.add(`${prop}.callers[${j}]`, caller instanceof Identity ? caller.name : caller, problem, "use Identity.serviceAccount('order')");
      });
      const service = e?.service as ServiceRef;
      // one entry per service and exporting cluster: each writes the service's export objects (a Linkerd gateway
      // authorization, an Istio or Consul export of the name), which two entries would write twice
      const sameService = (x: ServiceExportProps) => x?.cluster === e?.cluster && x?.service instanceof ServiceRef && service instanceof ServiceRef
        && x.service.name === service.name && (x.service.namespace ?? '') === (service.namespace ?? '');
      const earlier = (props.exports ?? []).slice(0, i).findIndex(sameService);
      if (earlier >= 0) {
        problems.add(`${prop}.service`, service.name, `exports[${earlier}] already exports ${service.name} from cluster ${e.cluster}`,
          `give one entry with every consumer: consumers: [${[...new Set([...(props.exports![earlier].consumers ?? []), ...(e.consumers ?? [])])].map(c => `'${c}'`).join(', ')}]`);
      }
      return {
        service,
        namespace: service?.namespace ?? 'default',
        from: from!,
        to,
        callers: e?.callers ?? [],
        localIn: to.filter(c => c.services.some(s => s.name === service?.name)),
      };
    });
    problems.throwIfAny();

    // trust domains that differ: remote identities do not verify without aliases or a shared root
    const domains = [...new Set(clusters.map(c => c.trustDomain))];
    if (domains.length > 1) {
      this._warn(`the clusters have different trust domains (${clusters.map(c => `${c.name}: ${c.trustDomain}`).join(', ')}): remote identities will not verify unless the meshes share a root and alias each other's trust domains`);
    }

    // under an App, each cluster's chart sits beside the app's other charts, so its output file is
    // named after the cluster (us-west.k8s.yaml); elsewhere, it is this construct's child
    const parent = scope instanceof App ? scope : this;
    for (const c of clusters) {
      const chart = c.chart ?? new Chart(parent, c.name, { disableResourceNameHashes: true });
      (c as { chart: Chart }).chart = chart;
      this.charts.set(c.name, chart);
      // charts of different clusters may hold the same object: the synthesis checks compare within a cluster
      markChartCluster(chart, c.name, this.node.path);
    }
    // the settings dropped, for the `cdk8s-mesh.io/dropped-settings` note
    let dropped: string | undefined;
    const intent: MultiClusterIntent = {
      clusters,
      exports,
      failover: props.failover ?? true,
      istioMode: props.istioMode,
      linkerdRemoteDiscovery: props.linkerdRemoteDiscovery ?? false,
      samenessGroup: props.consulSamenessGroup,
      istioEastWestGateway: props.istioEastWestGateway ?? false,
      // the failover joins the service's routing objects with the export's note (set below, before rendering)
      addFailover: (at, service, failover, by) => ServiceTraffic.of(at, this.mesh, service).addFailover(failover, by, dropped),
    };
    if (props.istioEastWestGateway !== undefined && typeof props.istioEastWestGateway !== 'boolean') {
      problems.add('istioEastWestGateway', props.istioEastWestGateway, 'a boolean', 'pass true or false');
    }
    // the mesh-owned settings the renderer does not read (MULTI_CLUSTER_OWNED): those that may not be dropped
    // (istioEastWestGateway) here, the others with the unsupported settings; then the mesh's warnings and own
    // checks, here so that its messages come before the sameness group's
    const owned = this._refuseOwned<MultiClusterExportProps, MultiClusterIntent, MultiClusterOwnedSetting>(
      problems, MULTI_CLUSTER_OWNED, renderer.reads, intent);
    this._askMesh(problems, renderer, intent);
    if (intent.samenessGroup !== undefined && !isDns1123Label(intent.samenessGroup)) {
      problems.add('consulSamenessGroup', intent.samenessGroup, dns1123LabelProblem('a sameness group name'), "e.g. 'shop'");
    }
    // the renderer's refusals keep themselves (CROSS_CLUSTER_KEEP); the other meshes' settings can be dropped
    const unsupported = [...renderer.unsupported(intent, this._renderContext()), ...owned];
    dropped = this._handleUnsupported(problems, unsupported, props.unsupportedSettings === UnsupportedSettings.DROP_WITH_WARNING);
    // the objects are written into each cluster's chart (beside the app's other charts under an App)
    const inCharts = () => [...new Set(this.charts.values())].flatMap(c => c.node.findAll());
    const before = new Set(inCharts());
    // the synthesis-time check runs on each cluster's chart (MeshAnalysis wraps each chart's synthesis)
    for (const c of intent.clusters) MeshAnalysis.of(c.chart);
    // the renderer's warnings (Istio: the install steps this output needs) come after the objects are marked
    const warnings: string[] = [];
    // the objects the export writes carry its note: those it creates (marked here), and the shared objects
    // it adds to (a Consul ServiceDefaults or ServiceIntentions, a Linkerd Server, the service's routing
    // objects with the failover), which the renderer notes through their joining methods whichever pattern
    // created them (context.droppedNote); the user's Services are not noted
    renderer.render(this, intent, { mesh: this.mesh, warn: m => warnings.push(m), ...(dropped !== undefined ? { droppedNote: dropped } : {}) });
    const written = [...new Set([...inCharts(), ...this.node.findAll()])].filter(c => !before.has(c));
    this._markDropped(dropped, written);
    addShared(this, ...written.filter(c => c instanceof ApiObject));
    for (const w of warnings) this._warn(w);
    // an exporter's namespace without zero trust: the failover target admits more than the primary
    // (checked at synthesis, so that a ZeroTrustNamespace created after this construct counts)
    let checked = false;
    this.node.addValidation({
      validate: () => {
        if (!checked) this.warnUnprotectedExports(exports, renderer.withoutZeroTrust);
        checked = true;
        return [];
      },
    });
    // each cluster's services are enrolled where their objects are (the chart of the cdk8s-plus Service
    // or Deployment, else the cluster's chart): docs/enrolment.md
    const enrolment = renderersOf(this.mesh).enrolment;
    for (const c of clusters) {
      for (const s of c.services) {
        const where = s._source() ? Chart.of(s._source()!) : c.chart;
        const ns = s._namespaceFrom(where);
        if (!ns || isEnrolledByRenderers(enrolment)) continue;
        MeshNamespace.of(where, ns, this.mesh, enrolment, { by: this.node.path, warn: m => this._warn(m), chartOnly: true }).enrolWorkload(s._workload());
      }
    }
    // the enrolments of patterns created before this construct, which took a Namespace object (or workloads)
    // of a chart that is now another cluster's, take their own cluster's (the output is the one of creating
    // this construct first): docs/enrolment.md
    MeshNamespace._rehome(this.node.root);
    // and what other patterns created before it chose by the charts' clusters (Linkerd's probe routes)
    clustersAssigned(this.node.root);
  }

  /**
   * Warns for each export whose exporting cluster has no ZeroTrustNamespace (default deny and mTLS) for
   * the service's namespace, in the cluster's chart or the chart of the service's objects.
   */
  private warnUnprotectedExports(exports: ExportIntent[], without: string | undefined): void {
    const warned = new Set<string>();
    // a mesh whose deny by default is not a namespace's says so (MultiClusterRenderer.withoutZeroTrust)
    if (without === undefined) return;
    // each chart walked once (not once per export: quadratic at a thousand exports)
    const zeroTrust = new Map<Chart, Set<string>>();
    const protectedIn = (chart: Chart) => {
      if (!zeroTrust.has(chart)) {
        zeroTrust.set(chart, new Set(chart.node.findAll()
          .filter((c): c is ZeroTrustNamespace => c instanceof ZeroTrustNamespace && sameMesh(c.mesh, this.mesh)).map(c => c.namespace)));
      }
      return zeroTrust.get(chart)!;
    };
    for (const e of exports) {
      const charts = [e.from.chart, ...(e.service._source() ? [Chart.of(e.service._source()!)] : [])];
      const covered = charts.some(chart => protectedIn(chart).has(e.namespace));
      const key = `${e.from.name}/${e.namespace}`;
      if (covered || warned.has(key)) continue;
      warned.add(key);
      this._warn(`exports[${exports.indexOf(e)}]: cluster ${e.from.name} exports ${e.service.name}, but its chart [${e.from.chart.node.path}] has no ZeroTrustNamespace for namespace ${e.namespace}: `
        + `${without} there, so after a failover (or a direct remote call) ${e.service.name} admits any caller, method and path that the consumers' own rules refuse, `
        + `and callers the consumers allow that are not among exports[${exports.indexOf(e)}].callers are not admitted. `
        + `Add new ZeroTrustNamespace(<the ${e.from.name} chart>, 'zero-trust', { mesh, namespace: '${e.namespace}', allow: [...] }) with the same rules for ${e.service.name} as in the consumers (remote callers with the same trust domain are the same identities)`);
    }
  }

  /** The chart of a cluster. */
  public chartOf(cluster: string): Chart {
    const chart = this.charts.get(cluster);
    if (!chart) throw meshError(`[${this.node.path}] chartOf: got ${JSON.stringify(cluster)}: no such cluster; use one of: ${[...this.charts.keys()].join(', ')}`);
    return chart;
  }
}

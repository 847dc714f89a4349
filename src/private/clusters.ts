import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/** The cluster whose output a chart is, and the construct path of the MultiClusterExport that said so. */
const CLUSTERS = new WeakMap<Chart, { readonly cluster: string; readonly by: string }>();

/**
 * Marks a chart as the output of one cluster of a multi-cluster app (MultiClusterExport, whose construct path
 * is `by`). A chart is the output of one cluster, and its first assignment stays: MultiClusterExport refuses a
 * second one to another cluster (`assignedCluster`), as what was written for the first cluster would move to it.
 */
export function markChartCluster(chart: Chart, cluster: string, by: string): void {
  if (!CLUSTERS.has(chart)) CLUSTERS.set(chart, { cluster, by });
}

/** The cluster a MultiClusterExport assigned to a chart, if any. */
export function clusterOf(chart: Chart): string | undefined {
  return CLUSTERS.get(chart)?.cluster;
}

/** The cluster a MultiClusterExport assigned to a chart and that export's construct path, if any. */
export function assignedCluster(chart: Chart): { readonly cluster: string; readonly by: string } | undefined {
  return CLUSTERS.get(chart);
}

/** Whether two charts write into one cluster: charts of the same cluster, or a chart that names none. */
export function sameCluster(a: Chart, b: Chart): boolean {
  const ca = CLUSTERS.get(a)?.cluster;
  const cb = CLUSTERS.get(b)?.cluster;
  return ca === undefined || cb === undefined || ca === cb;
}

/**
 * Whether it is settled if two charts write into one cluster: the same chart, or two charts
 * that a MultiClusterExport assigned (a chart's cluster is never changed: `markChartCluster`). A chart
 * without a cluster may still be given one by a MultiClusterExport created later.
 */
export function clusterRelationFinal(a: Chart, b: Chart): boolean {
  return a === b || (CLUSTERS.has(a) && CLUSTERS.has(b));
}

/** What was decided before the charts' clusters were final, to decide again when a MultiClusterExport assigns them. */
const REDECIDE = new WeakMap<IConstruct, Set<() => boolean>>();

/**
 * Calls `redecide` whenever a MultiClusterExport of the app `root` assigns its charts (`clustersAssigned`), until
 * it returns true (settled: nothing it depends on can change any more). For a choice made at construction that
 * depends on which charts are one cluster (e.g. the objects written), so that the output is the one of creating
 * the export first.
 */
export function redecideWhenClustersAssigned(root: IConstruct, redecide: () => boolean): void {
  let set = REDECIDE.get(root);
  if (!set) REDECIDE.set(root, set = new Set());
  set.add(redecide);
}

/** A MultiClusterExport of the app `root` assigned charts: what was decided before is decided again. */
export function clustersAssigned(root: IConstruct): void {
  for (const redecide of [...REDECIDE.get(root) ?? []]) {
    if (redecide()) REDECIDE.get(root)!.delete(redecide);
  }
}

import { Chart } from 'cdk8s';

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

import { Chart } from 'cdk8s';

/** The cluster whose output a chart is (set by MultiClusterExport); charts without one are the app's cluster. */
const CLUSTERS = new WeakMap<Chart, string>();

/** Marks a chart as the output of one cluster of a multi-cluster app (MultiClusterExport). */
export function markChartCluster(chart: Chart, cluster: string): void {
  CLUSTERS.set(chart, cluster);
}

/** The cluster a MultiClusterExport assigned to a chart, if any. */
export function clusterOf(chart: Chart): string | undefined {
  return CLUSTERS.get(chart);
}

/** Whether two charts write into one cluster: charts of the same cluster, or a chart that names none. */
export function sameCluster(a: Chart, b: Chart): boolean {
  const ca = CLUSTERS.get(a);
  const cb = CLUSTERS.get(b);
  return ca === undefined || cb === undefined || ca === cb;
}

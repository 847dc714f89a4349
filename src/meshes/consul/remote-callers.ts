import { Chart } from 'cdk8s';
import * as consul from '../../imports/consul';

/**
 * The remote callers' ServiceIntentions that a MultiClusterExport wrote on its own (no zero trust for the
 * service in the chart yet), with how to write each export's sources again. Consul takes one
 * ServiceIntentions per destination: a ZeroTrustNamespace created later for the service replaces the
 * object, and the exports join its intentions (rejoinRemoteCallers).
 */
const OWN = new WeakMap<consul.ServiceIntentions, (() => void)[]>();

/** Records that `write` (an export's remote callers) went into `obj`, written on its own. */
export function recordRemoteCallers(obj: consul.ServiceIntentions, write: () => void): void {
  OWN.set(obj, [...(OWN.get(obj) ?? []), write]);
}

/** The remote callers' own ServiceIntentions of `destination` in `chart`, if any. */
export function ownRemoteCallers(chart: Chart, destination: string): consul.ServiceIntentions | undefined {
  return chart.node.children.find((c): c is consul.ServiceIntentions => c instanceof consul.ServiceIntentions
    && OWN.has(c) && c.toJson().spec?.destination?.name === destination);
}

/**
 * After a ZeroTrustNamespace wrote the ServiceIntentions of `destination`: removes the remote callers'
 * own object of it and writes their sources into the zero trust's.
 */
export function rejoinRemoteCallers(chart: Chart, destination: string): void {
  const own = ownRemoteCallers(chart, destination);
  if (!own) return;
  const writes = OWN.get(own)!;
  chart.node.tryRemoveChild(own.node.id);
  for (const write of writes) write();
}

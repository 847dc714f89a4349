import { Chart } from 'cdk8s';
import * as consul from '../../imports/consul';

/**
 * The remote callers' ServiceIntentions that a MultiClusterExport wrote on its own (no zero trust for the
 * service in the chart yet), with how to write each export's sources again. Consul takes one
 * ServiceIntentions per destination: a ZeroTrustNamespace created later for the service replaces the
 * object, and the exports join its intentions (rejoinRemoteCallers).
 */
const OWN = new WeakMap<consul.ServiceIntentions, (() => void)[]>();

/**
 * The remote callers' own objects by their scope and destination: looked up once per ServiceIntentions a
 * ZeroTrustNamespace writes, which scanned every child of the chart (quadratic in the services of a
 * Consul app: half of a N = 1,000 synthesis). The destination of an own object is fixed when it is
 * written (exports patch only its sources).
 */
const BY_DESTINATION = new WeakMap<object, Map<string, consul.ServiceIntentions>>();

/** Records that `write` (an export's remote callers) went into `obj`, written on its own. */
export function recordRemoteCallers(obj: consul.ServiceIntentions, write: () => void): void {
  if (!OWN.has(obj)) {
    const scope = obj.node.scope;
    const destination = obj.toJson().spec?.destination?.name;
    if (scope && typeof destination === 'string') {
      const index = BY_DESTINATION.get(scope) ?? new Map<string, consul.ServiceIntentions>();
      BY_DESTINATION.set(scope, index);
      const cur = index.get(destination);
      if (!cur || scope.node.tryFindChild(cur.node.id) !== cur) index.set(destination, obj);
    }
  }
  OWN.set(obj, [...(OWN.get(obj) ?? []), write]);
}

/** The remote callers' own ServiceIntentions of `destination` in `chart` (one of its children), if any. */
export function ownRemoteCallers(chart: Chart, destination: string): consul.ServiceIntentions | undefined {
  const obj = BY_DESTINATION.get(chart)?.get(destination);
  return obj && chart.node.tryFindChild(obj.node.id) === obj ? obj : undefined;
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
  BY_DESTINATION.get(chart)?.delete(destination);
  for (const write of writes) write();
}

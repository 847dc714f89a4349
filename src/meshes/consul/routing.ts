import { RoutingRenderer } from '../renderer';
import { CONSUL_NO_MIRROR, CONSUL_VERSIONS } from './versions';


/**
 * Consul: the versions are ServiceResolver subsets of the one Consul service callers use, filtering on
 * Service.Meta.<labelKey> (the pods' consul.hashicorp.com/service-meta-<labelKey> annotation); a
 * ServiceRouter route sends to one subset, the ServiceSplitter splits the rest by weight, in the order
 * given (the first match); no mirror.
 */
export const CONSUL_ROUTING: RoutingRenderer = {
  ...CONSUL_VERSIONS,
  unsupported: intent => intent.routing.mirror === undefined ? [] : [{
    setting: 'mirror',
    value: `${intent.routing.mirror.version.name} ${intent.routing.mirror.percent}%`,
    why: CONSUL_NO_MIRROR,
    alternative: 'send test requests to the version with a route (routes: [{ match: { headers: [...] }, version }])',
  }],
  serviceVersionUnsupported: (given, version) => [{
    ...given,
    why: 'its subsets are Service.Meta filters of the one Consul service that callers use; a Service of its own registers a different Consul service',
    alternative: `use ServiceVersion.of('${version}') or ServiceVersion.fromDeployment(deployment, '${version}')`,
  }],
  routeSplitUnsupported: (given, to) => to.filter(t => t.weight > 0).length <= 1 ? [] : [{
    ...given,
    why: 'a ServiceRouter route sends to one service subset; only the service\'s ServiceSplitter splits by weight, and it applies to the requests no route takes',
    alternative: 'send this route to one version, and split the remaining requests with defaultSplit',
  }],
  render: () => undefined,
};

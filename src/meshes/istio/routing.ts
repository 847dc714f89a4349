import { RoutingRenderer } from '../renderer';

/**
 * Istio (sidecars): the routes are the VirtualService's, in the order given (the first match takes a
 * request), to DestinationRule subsets of the versions' labels (or of a version Service's selector), with
 * the mirror; the traffic renderer writes them, and VersionedRouting adds nothing.
 */
export const ISTIO_ROUTING: RoutingRenderer = {
  unsupported: () => [],
  render: () => undefined,
};

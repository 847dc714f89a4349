import { CanaryRenderer } from '../renderer';

/**
 * Istio (sidecars): the routes (VirtualService, DestinationRule subsets) are the traffic renderer's; the
 * release adds nothing, mirrors, and lets either controller route.
 */
export const ISTIO_CANARY: CanaryRenderer = {
  readsSmiTrafficSplit: false,
  flaggerMirrorsFirstInterval: true,
  unsupported: () => [],
  render: () => undefined,
  controllerUnsupported: () => [],
};

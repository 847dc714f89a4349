import type { FaultInjectionIntent } from '../../patterns/fault/intent';
import { PatternRenderer } from '../renderer';

/**
 * Istio sidecars: the faults are written into the service's VirtualService (ServiceTraffic, with its
 * timeouts and retries: traffic.ts httpRoutes); nothing of their own.
 */
export const ISTIO_FAULT: PatternRenderer<FaultInjectionIntent> = {
  unsupported() {
    return [];
  },
  render() {},
};

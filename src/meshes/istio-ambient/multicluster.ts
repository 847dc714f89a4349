import type { Unsupported } from '../../model/unsupported';
import { CROSS_CLUSTER_KEEP } from '../../patterns/multicluster/intent';
import { ISTIO_MULTI_CLUSTER } from '../istio/multicluster';
import { MultiClusterRenderer } from '../renderer';

/**
 * Istio ambient: refused as a whole (the construct keeps this refusal even with DROP_WITH_WARNING), so Istio's
 * render is never reached: the sidecar east-west gateway (15443 AUTO_PASSTHROUGH) does not carry ambient's
 * HBONE traffic.
 */
export const AMBIENT_MULTI_CLUSTER: MultiClusterRenderer = {
  ...ISTIO_MULTI_CLUSTER,
  unsupported(): Unsupported[] {
    return [{
      setting: 'mesh',
      value: 'ambient',
      why: 'ambient multi-network uses an east-west gateway of its own (HBONE on 15008, class istio-east-west) and is Alpha in Istio 1.30; the library writes the sidecar form only',
      alternative: 'run the exported services on the sidecar data plane (Mesh.istio()), or set up ambient multicluster with istioctl',
      keep: CROSS_CLUSTER_KEEP,
    }];
  },
};

import type { Unsupported } from '../../model/unsupported';
import { ACCESS_RULES_KEEP, ZeroTrustIntent } from '../../patterns/zero-trust/intent';
import { AmbientNamespace } from '../istio/ambient';
import { ISTIO_ZERO_TRUST, istioZeroTrustRender } from '../istio/zero-trust';
import { ZeroTrustRenderer } from '../renderer';

/**
 * Istio ambient: Istio's policies, with the namespace enrolled in ambient (AmbientNamespace). ztunnel enforces
 * L4 rules (identities, namespaces, ports) on the pods; a rule with L7 fields (methods, paths, a JWT) needs a
 * waypoint for its Service, where its policy then moves (src/meshes/istio/zero-trust.ts, istioZeroTrustRender).
 */
export const AMBIENT_ZERO_TRUST: ZeroTrustRenderer = {
  ...ISTIO_ZERO_TRUST,
  unsupported(intent: ZeroTrustIntent): Unsupported[] {
    return intent.exceptions.flatMap((e, i) => e.mode === 'DISABLE' ? [{
      setting: `mtlsExceptions[${i}].mode`,
      value: e.mode,
      why: 'ztunnel always speaks mTLS between ambient workloads and ignores DISABLE',
      alternative: 'use MtlsExceptionMode.PERMISSIVE for a port that plaintext clients call',
      keep: ACCESS_RULES_KEEP,
    }] : []);
  },

  render: istioZeroTrustRender((scope, intent, mesh) => AmbientNamespace.of(scope, intent.namespace, mesh, intent.namespaceObject)),
};

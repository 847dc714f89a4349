import { IngressApi } from '../../patterns/ingress/props';
import { DATAPLANE_MODE_LABEL } from '../istio/ambient';
import { ISTIO_INGRESS, istioIngressRender } from '../istio/ingress';
import { IngressRenderer } from '../renderer';

/**
 * Istio ambient: Istio's ingress, on the Gateway API by default (Istio recommends it for ambient: its gateways
 * are deployed per Gateway).
 */
export const AMBIENT_INGRESS: IngressRenderer = {
  ...ISTIO_INGRESS,
  defaultApi: () => IngressApi.GATEWAY_API,
  // The gateway pods must stay out of ztunnel, or the namespace's STRICT mTLS and selector-less default deny
  // would refuse the load balancer's plaintext connections (istio-cni enrols every pod of an ambient namespace
  // but sidecar pods: cni/pkg/util/enablement_selector.go, Matches). kube-gateway.yaml sets no such label
  // (waypoint.yaml does); istiod adds istio.io/dataplane-mode: none to the infrastructure labels when ambient
  // is enabled and the Gateway sets no such label itself (gatewaycommon/deploymentcontroller.go,
  // setLabelOverrides). Written explicitly, the opt-out does not depend on that default and is visible in the
  // output; kube-gateway.yaml copies .InfrastructureLabels to the pod template (harmless where the namespace
  // is not ambient). Only for the class `istio`, whose pods Istio deploys from kube-gateway.yaml.
  render: istioIngressRender(intent => (intent.gatewayClassName === 'istio' ? { [DATAPLANE_MODE_LABEL]: 'none' } : undefined)),
};

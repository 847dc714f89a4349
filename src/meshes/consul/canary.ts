import { CanaryRenderer } from '../renderer';

/** Consul subsets filter on Service.Meta.<key>, which needs a plain identifier. */
const CONSUL_META_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Consul: the versions are ServiceResolver subsets filtering on Service.Meta.<labelKey>, which the pods
 * carry as the consul.hashicorp.com/service-meta-<labelKey> annotation; no mirror, and neither controller
 * has a Consul router.
 */
export const CONSUL_CANARY: CanaryRenderer = {
  readsSmiTrafficSplit: false,
  flaggerMirrorsFirstInterval: false,
  versionLabelKeyProblem: labelKey => CONSUL_META_KEY.test(labelKey) ? undefined
    : { why: 'Consul subsets filter on Service.Meta.<key>, which needs a plain identifier', fix: "use a key such as 'version'" },
  unsupported: intent => intent.mirrorPercent === undefined ? [] : [{
    setting: 'mirrorPercent',
    value: intent.mirrorPercent,
    why: 'Consul\'s discovery chain has no traffic mirroring',
    alternative: 'send test traffic to the canary with canaryRequests instead',
  }],
  prepareVersion(deployment, v, context) {
    if (deployment) deployment.addAnnotation(`consul.hashicorp.com/service-meta-${v.versionKey}`, v.versionValue);
    else context.warn?.(`Consul subsets filter on Service.Meta.${v.versionKey}: annotate the ${v.versionValue} pods with consul.hashicorp.com/service-meta-${v.versionKey}: "${v.versionValue}" (ReleaseVersion.fromDeployment does it for you)`);
  },
  render: () => undefined,
  controllerRefusal: (intent) => ({
    prop: 'delivery',
    value: intent.controller,
    why: intent.flagger
      ? 'Flagger has no Consul provider (its mesh providers are istio, linkerd, gatewayapi, appmesh, kuma, osm, ...: pkg/router/factory.go), and Consul\'s ServiceRouter/ServiceSplitter are no Gateway API routes'
      : 'Argo Rollouts has no Consul traffic router (istio, smi, alb, nginx, apisix, appmesh, traefik, ambassador and plugins: pkg/apis/rollouts/v1alpha1 RolloutTrafficRouting)',
    fix: 'use static steps (remove delivery), which this library writes for every mesh',
  }),
  controllerUnsupported: () => [],
};

import { VersionsRenderer } from '../renderer';

/** Consul subsets filter on Service.Meta.<key>, which needs a plain identifier. */
const CONSUL_META_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why Consul refuses a mirror (CanaryRelease's mirrorPercent, VersionedRouting's mirror). */
export const CONSUL_NO_MIRROR = 'Consul\'s discovery chain has no traffic mirroring';

/**
 * Consul: a version is a ServiceResolver subset filtering on Service.Meta.<labelKey>, which the pods carry
 * as the consul.hashicorp.com/service-meta-<labelKey> annotation (CanaryRelease and VersionedRouting alike).
 */
export const CONSUL_VERSIONS: VersionsRenderer = {
  versionLabelKeyProblems: (prop, labelKey) => CONSUL_META_KEY.test(labelKey) ? []
    : [{ prop, value: labelKey, why: 'Consul subsets filter on Service.Meta.<key>, which needs a plain identifier', fix: "use a key such as 'version'" }],
  prepareVersion(deployment, v, context, fromDeployment) {
    if (deployment) deployment.addAnnotation(`consul.hashicorp.com/service-meta-${v.versionKey}`, v.versionValue);
    else context.warn(`Consul subsets filter on Service.Meta.${v.versionKey}: annotate the ${v.versionValue} pods with consul.hashicorp.com/service-meta-${v.versionKey}: "${v.versionValue}" (${fromDeployment} does it for you)`);
  },
};

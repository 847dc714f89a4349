import * as consul from '../imports/consul';
import * as gatewayApi from '../imports/gateway-api';
import * as istio from '../imports/istio';
import * as linkerd from '../imports/linkerd';
import { anyHasKey, unconverted } from '../private/l1';

/**
 * The generated L1 classes the renderers write most objects with, rendered without their generated
 * conversion where it is proved to change nothing (src/private/l1.ts `unconverted`; the proof, per class,
 * is test/private/l1.test.ts). Each guard names the keys the proof leaves out: where one is written, the
 * L1's own conversion renders the object.
 */

/** istio.VirtualService; a route's `mirrorPercent` is written `mirror_percent` by the conversion. */
export const VirtualService = unconverted(istio.VirtualService, json => anyHasKey(json?.spec?.http, 'mirrorPercent'));
/** istio.AuthorizationPolicy (security.istio.io). */
export const AuthorizationPolicy = unconverted(istio.AuthorizationPolicy);
/** istio.ServiceEntry. */
export const ServiceEntry = unconverted(istio.ServiceEntry);
/** consul.ServiceRouter. */
export const ServiceRouter = unconverted(consul.ServiceRouter);
/** consul.ServiceSplitter. */
export const ServiceSplitter = unconverted(consul.ServiceSplitter);
/** consul.ServiceResolver; a hash policy's `sourceIp` is written `sourceIP` by the conversion. */
export const ServiceResolver = unconverted(consul.ServiceResolver, json => anyHasKey(json?.spec?.loadBalancer?.hashPolicies, 'sourceIp'));
/** consul.ServiceIntentions. */
export const ServiceIntentions = unconverted(consul.ServiceIntentions);
/** linkerd.MeshTlsAuthentication. */
export const MeshTlsAuthentication = unconverted(linkerd.MeshTlsAuthentication);
/**
 * linkerd.HttpRoute (policy.linkerd.io); the conversion writes a backend's `filters` after `weight`, out
 * of sorted order.
 */
export const PolicyHttpRoute = unconverted(linkerd.HttpRoute,
  json => Array.isArray(json?.spec?.rules) && json.spec.rules.some((r: any) => anyHasKey(r?.backendRefs, 'filters')));
/** gatewayApi.HttpRoute (gateway.networking.k8s.io). */
export const HttpRoute = unconverted(gatewayApi.HttpRoute);

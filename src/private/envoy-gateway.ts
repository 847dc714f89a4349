import { createHash } from 'crypto';

/**
 * The service account Envoy Gateway gives the proxies of Gateway `<ns>/<name>` in its default deploy mode
 * (ControllerNamespace, no mergeGateways): `envoy-` and GetHashedName(`<ns>/<name>`, 48), i.e. the name
 * with `/` as `-`, cut to 48 characters (without a trailing `-`), then the first 8 hex digits of its
 * SHA-256 (envoyproxy/gateway internal/utils/misc.go GetHashedName; proxy/resource.go
 * ExpectedResourceHashedName; proxy/resource_provider.go serviceAccountName).
 */
export function envoyGatewayServiceAccount(ns: string, name: string): string {
  const nsName = `${ns}/${name}`;
  const hash = createHash('sha256').update(nsName).digest('hex').slice(0, 8);
  let resourceName = nsName.split('/').join('-');
  if (resourceName.length > 48) resourceName = resourceName.slice(0, 48).replace(/-$/, '');
  return `envoy-${resourceName}-${hash}`;
}

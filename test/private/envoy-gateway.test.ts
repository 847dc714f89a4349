import { envoyGatewayServiceAccount } from '../../src/private/envoy-gateway';

describe('private/envoy-gateway: the service account of a Gateway\'s proxies', () => {
  test('Envoy Gateway\'s own example: Gateway default/eg runs as envoy-default-eg-e41e7b31', () => {
    // the name in envoyproxy/gateway's comments, docs and quickstart output
    expect(envoyGatewayServiceAccount('default', 'eg')).toBe('envoy-default-eg-e41e7b31');
  });

  test('a long namespace and name are cut to 48 characters (no trailing "-"), so the name stays a 63-character label', () => {
    const long = envoyGatewayServiceAccount('a'.repeat(40), 'b'.repeat(60));
    expect(long).toMatch(new RegExp(`^envoy-${'a'.repeat(40)}-${'b'.repeat(7)}-[0-9a-f]{8}$`));
    expect(long).toHaveLength(63);
    // the cut falls on the "-": it is dropped, not doubled
    expect(envoyGatewayServiceAccount('a'.repeat(47), 'bbbb')).toMatch(new RegExp(`^envoy-${'a'.repeat(47)}-[0-9a-f]{8}$`));
    // the hash is of the whole name: two names with the same first 48 characters get different accounts
    expect(envoyGatewayServiceAccount('a'.repeat(40), `${'b'.repeat(60)}x`)).not.toBe(long);
  });
});

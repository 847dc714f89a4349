import { ServiceRef } from '../../../src';
import { renderVersionBackends } from '../../../src/meshes/gateway-api/versions';
import { objectsOf } from '../canary-fixtures';
import { version } from '../routing-intent';

describe('meshes/gateway-api/versions: the per-version backend Services CanaryRelease and VersionedRouting share', () => {
  test('one Service per version on the service port; externalIPs: [] only where asked (CanaryRelease keeps it)', () => {
    const service = ServiceRef.fromName('reviews', { port: 9080 });
    const plain = objectsOf(s => renderVersionBackends(s, service, 'shop', [version('v1'), version('v2')]));
    expect(plain.map(o => [o.metadata.name, o.metadata.namespace, o.spec])).toEqual([
      ['reviews-v1', 'shop', { ports: [{ port: 9080, targetPort: 9080 }], selector: { app: 'reviews', version: 'v1' }, type: 'ClusterIP' }],
      ['reviews-v2', 'shop', { ports: [{ port: 9080, targetPort: 9080 }], selector: { app: 'reviews', version: 'v2' }, type: 'ClusterIP' }],
    ]);
    const withIps = objectsOf(s => renderVersionBackends(s, service, 'shop', [version('v1')], { externalIPs: true }));
    expect(Object.keys(withIps[0].spec)).toEqual(['externalIPs', 'ports', 'selector', 'type']);
    expect(withIps[0].spec.externalIPs).toEqual([]);
  });
});

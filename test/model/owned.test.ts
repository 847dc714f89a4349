import { MultiClusterExportProps, ZeroTrustNamespaceProps } from '../../src';
import { OwnedSettings, ownedRefusals } from '../../src/model/owned';
import { MULTI_CLUSTER_OWNED, MultiClusterIntent, MultiClusterOwnedSetting } from '../../src/patterns/multicluster/intent';

// ownedRefusals: the one way a construct refuses the mesh-owned settings a renderer does not read
type Intent = { a?: string; b?: boolean };
type Props = { consulA?: string; linkerdB?: boolean; jwt?: { consulC?: string } };
const OWNED: OwnedSettings<Intent, 'consulA' | 'linkerdB'> = {
  consulA: { why: 'A is Consul\'s', value: i => i.a, alternative: m => `remove it for ${m}`, droppable: true },
  linkerdB: { why: 'B is Linkerd\'s', value: i => i.b || undefined, droppable: false },
};

describe('ownedRefusals', () => {
  test('each unread setting that is set is refused in the mesh\'s name: droppable ones as unsupported, the others as prop problems', () => {
    expect(ownedRefusals<Props, Intent, 'consulA' | 'linkerdB'>(OWNED, [], { a: 'x', b: true }, 'Kuma')).toEqual({
      unsupported: [{ setting: 'consulA', value: 'x', why: 'A is Consul\'s', alternative: 'remove it for Kuma' }],
      problems: [{ prop: 'linkerdB', value: true, why: 'Kuma cannot express this (B is Linkerd\'s)', fix: 'remove it' }],
    });
  });

  test('a setting the renderer reads, or one not set, is not refused', () => {
    expect(ownedRefusals<Props, Intent, 'consulA' | 'linkerdB'>(OWNED, ['consulA', 'linkerdB'], { a: 'x', b: true }, 'Kuma')).toEqual({ unsupported: [], problems: [] });
    expect(ownedRefusals<Props, Intent, 'consulA' | 'linkerdB'>(OWNED, ['linkerdB'], { b: false }, 'Kuma')).toEqual({ unsupported: [], problems: [] });
  });

  test('the order is the declaration\'s', () => {
    expect(ownedRefusals<MultiClusterExportProps, MultiClusterIntent, MultiClusterOwnedSetting>(
      MULTI_CLUSTER_OWNED, [], { samenessGroup: 's', linkerdRemoteDiscovery: true, istioEastWestGateway: true } as any, 'Kuma').unsupported.map(u => u.setting))
      .toEqual(['consulSamenessGroup', 'linkerdRemoteDiscovery']);
  });

  test('a setting that names no prop does not compile', () => {
    const owned: OwnedSettings<Intent, 'consulTypo'> = { consulTypo: { why: '', value: () => undefined, droppable: true } };
    // @ts-expect-error 'consulTypo' is not a prop of Props
    expect(ownedRefusals<Props, Intent, 'consulTypo'>(owned, [], {}, 'Kuma').unsupported).toEqual([]);
    // a nested prop's path compiles; a typo in it does not
    const nested: OwnedSettings<Intent, 'jwt.consulC'> = { 'jwt.consulC': { why: '', value: () => undefined, droppable: true } };
    expect(ownedRefusals<Props, Intent, 'jwt.consulC'>(nested, [], {}, 'Kuma').problems).toEqual([]);
    const typo: OwnedSettings<Intent, 'jwt.consulD'> = { 'jwt.consulD': { why: '', value: () => undefined, droppable: true } };
    // @ts-expect-error 'jwt.consulD' is not a path of Props
    expect(ownedRefusals<Props, Intent, 'jwt.consulD'>(typo, [], {}, 'Kuma').problems).toEqual([]);
    // ZeroTrustNamespaceProps has jwt.consulJwksCaFile
    const ca: OwnedSettings<Intent, 'jwt.consulJwksCaFile'> = { 'jwt.consulJwksCaFile': { why: '', value: () => undefined, droppable: true } };
    expect(ownedRefusals<ZeroTrustNamespaceProps, Intent, 'jwt.consulJwksCaFile'>(ca, [], {}, 'Kuma').problems).toEqual([]);
  });

  test('a declaration that leaves out an owned setting, or a renderer reading one that is not declared, does not compile', () => {
    // @ts-expect-error linkerdB is missing
    const missing: OwnedSettings<Intent, 'consulA' | 'linkerdB'> = { consulA: OWNED.consulA };
    expect(missing).toBeDefined();
    // @ts-expect-error 'consulZ' is not an owned setting
    const reads: readonly ('consulA' | 'linkerdB')[] = ['consulZ'];
    expect(reads).toBeDefined();
  });
});

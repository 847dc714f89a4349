/**
 * Reachability at scale (#19 item 9): the table is written as it is decided (the same text as
 * formatTable of the whole table), and the summary view says who may call each service.
 */
import { Testing } from 'cdk8s';
import { SHOP_MESHES, Shop } from '../../examples/shop/main';
import { ReachabilityMatrix } from '../../src';
import { main } from '../../src/cli/main';
import { captureStderr } from '../util';

captureStderr();

// hand-written: payment admits order (POST /process-payment) and web (any request); user has no policy in an
// unenrolled namespace (nothing enforced); a Consul TCP service
const ISTIO = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: legacy-with-a-long-name}
---
apiVersion: v1
kind: Service
metadata: {name: payment, namespace: shop}
spec: {selector: {app: payment}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: user, namespace: legacy-with-a-long-name}
spec: {selector: {app: user}, ports: [{port: 8080}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: payment-allow, namespace: shop}
spec:
  selector: {matchLabels: {app: payment}}
  action: ALLOW
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]
    to: [{operation: {methods: [POST], paths: [/process-payment]}}]
  - from: [{source: {principals: [cluster.local/ns/shop/sa/web]}}]
`;

const CONSUL = `apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceDefaults
metadata: {name: db, namespace: shop}
spec: {protocol: tcp}
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: db, namespace: shop}
spec:
  destination: {name: db}
  sources: [{name: order, action: allow}, {name: '*', action: deny}]
`;

function cli(args: string[], stdin: string): { code: number; out: string } {
  let out = '';
  const code = main(args, { stdout: (s: string) => { out += s; }, stderr: () => undefined, stdin: () => stdin });
  return { code, out };
}

describe('the reachability table, streamed', () => {
  test.each([
    ...SHOP_MESHES.map(([name, mesh]) => [name, () => ReachabilityMatrix.fromManifests(Testing.synth(new Shop(Testing.app(), 'shop', { mesh })), { defaultNamespace: 'shop' })] as const),
    ['hand-written Istio (a namespace not enrolled)', () => ReachabilityMatrix.fromYaml(ISTIO, { defaultNamespace: 'shop' })] as const,
    ['hand-written Consul (a TCP service)', () => ReachabilityMatrix.fromYaml(CONSUL, { defaultNamespace: 'shop' })] as const,
  ])('%s: the same text as formatTable(table()), in pieces of at most the chunk', (_name, matrix) => {
    const m = matrix();
    const pieces = [...m._tableLines(undefined, undefined, 7)];
    expect(pieces.join('')).toBe(ReachabilityMatrix.formatTable(m.table()));
    // the header, then pieces of 7 rows (the last may be shorter)
    expect(pieces.slice(1).every(p => p.split('\n').length - 1 <= 7)).toBe(true);
    expect(pieces.length).toBe(1 + Math.ceil(m.table().length / 7));
    // and with a caller and a service given
    const one = m.services()[0];
    expect([...m._tableLines(['shop/order'], [one])].join('')).toBe(ReachabilityMatrix.formatTable(m.table(['shop/order'], [one])));
  });

  test('the widths count NOT ENFORCED and TCP only when a row has them', () => {
    const istio = ReachabilityMatrix.fromYaml(ISTIO, { defaultNamespace: 'shop' });
    const table = [...istio._tableLines()].join('');
    expect(table).toContain('NOT ENFORCED');
    const enforcedOnly = [...istio._tableLines(undefined, ['shop/payment'])].join('');
    expect(enforcedOnly.split('\n')[0]).toBe(ReachabilityMatrix.formatTable(istio.table(undefined, ['shop/payment'])).split('\n')[0]);
    expect(enforcedOnly).not.toContain('NOT ENFORCED');
    expect([...ReachabilityMatrix.fromYaml(CONSUL, { defaultNamespace: 'shop' })._tableLines()].join('')).toMatch(/shop\/order\s+shop\/db\s+TCP\s+ALLOW/);
  });
});

describe('the summary view: who may call each service', () => {
  test('per service, the callers allowed a request and which (* all of those tried)', () => {
    const m = ReachabilityMatrix.fromYaml(ISTIO, { defaultNamespace: 'shop' });
    expect([...m._summary()]).toEqual([
      {
        service: 'legacy-with-a-long-name/user',
        enforced: false,
        requests: ['GET /'],
        callers: [{ caller: 'shop/order', requests: ['*'] }, { caller: 'shop/web', requests: ['*'] }, { caller: 'shop/unnamed', requests: ['*'] }],
      },
      {
        service: 'shop/payment',
        enforced: true,
        requests: ['GET /', 'POST /process-payment'],
        callers: [{ caller: 'shop/order', requests: ['POST /process-payment'] }, { caller: 'shop/web', requests: ['*'] }],
      },
    ]);
    // the same as reading the whole table
    for (const s of m._summary()) {
      const allowed = [...new Set(m.table(undefined, [s.service]).filter(d => d.allowed).map(d => d.caller))];
      expect(s.callers.map(c => c.caller).sort()).toEqual(allowed.sort());
    }
  });

  test('cdk8s-mesh reachability --summary, as text and JSON (the shape of the other commands)', () => {
    const text = cli(['reachability', '--summary', '--namespace', 'shop', '-'], ISTIO);
    expect(text.code).toBe(0);
    expect(text.out).toBe('mesh: istio\nSERVICE: CALLERS ALLOWED (the requests allowed, * for all those tried)\n'
      + 'legacy-with-a-long-name/user: NOT ENFORCED (any caller): shop/order (*), shop/web (*), shop/unnamed (*)\n'
      + 'shop/payment: shop/order (POST /process-payment), shop/web (*)\n');
    const json = JSON.parse(cli(['reachability', '--summary', '--format', 'json', '--namespace', 'shop', '--to', 'shop/payment', '-'], ISTIO).out);
    expect(json).toEqual({
      command: 'reachability',
      documents: 5,
      mesh: 'istio',
      services: [{
        kind: 'Service',
        namespace: 'shop',
        name: 'payment',
        service: 'shop/payment',
        enforced: true,
        requests: ['GET /', 'POST /process-payment'],
        callers: [{ caller: 'shop/order', requests: ['POST /process-payment'] }, { caller: 'shop/web', requests: ['*'] }],
      }],
    });
    // a caller no policy admits: none
    expect(cli(['reachability', '--summary', '--from', 'shop/unnamed', '--to', 'shop/payment', '-'], ISTIO).out).toContain('shop/payment: none\n');
    expect(cli(['reachability', '--summary', '--method', 'GET', '-'], ISTIO).code).toBe(2);
  });
});

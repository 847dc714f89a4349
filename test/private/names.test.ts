import { Identity, MeshAnalyzer, Mesh, ServiceRef, ZeroTrustNamespace, EgressPolicy, EgressProtocol } from '../../src';
import { cidrContains, parseCidr } from '../../src/private/names';
import { failureOf } from '../util';

/** Issue 19 item 8: one CIDR parser (Node's isIP and BlockList) for the constructs and the analyzer. */
const BAD = ['999.1.1.1/8', 'fff:::::/100', '::1/200', '10.0.0.0/33', '10.0.0.0/8/8', '10.0.0/8', ''];
const GOOD = ['10.0.0.0/8', '10.0.0.1', '0.0.0.0/1', 'fd00::/8', '::1/128', '::ffff:10.0.0.0/104'];

test.each(BAD)('parseCidr refuses %j', v => expect(parseCidr(v)).toBeUndefined());
test.each(GOOD)('parseCidr accepts %j', v => expect(parseCidr(v)).toBeDefined());

test('cidrContains compares both families and says when it cannot', () => {
  expect(cidrContains('10.0.0.0/8', '10.1.0.0/16')).toBe(true);
  expect(cidrContains('10.0.0.0/8', '11.0.0.0/16')).toBe(false);
  expect(cidrContains('10.0.0.0/16', '10.0.0.0/8')).toBe(false);
  expect(cidrContains('fd00::/8', 'fd12::/16')).toBe(true);
  expect(cidrContains('fd00::/8', 'fe80::/16')).toBe(false);
  expect(cidrContains('10.0.0.0/8', 'fd00::/8')).toBe(false);
  expect(cidrContains('999.0.0.0/8', '10.0.0.0/8')).toBeUndefined();
});

test.each(['999.1.1.1/8', 'fff:::::/100', '::1/200'])('Identity.network(%j) is refused, naming the value and the fix', cidr => {
  expect(failureOf(chart => new ZeroTrustNamespace(chart, 'zt', {
    mesh: Mesh.linkerd(), allow: [{ callers: [Identity.network(cidr)], to: ServiceRef.fromName('payment', { port: 8080 }) }],
  }))).toBe(`[test/zt] allow[0].callers[0]: got ${JSON.stringify(cidr)}: ${JSON.stringify(cidr)} is not a CIDR such as 10.0.0.0/8; use Identity.serviceAccount('order') or Identity.fromServiceAccount(sa)`);
});

test.each(['999.1.1.1/8', '::1/200'])('EgressPolicy addresses %j are refused', address => {
  expect(failureOf(chart => new EgressPolicy(chart, 'egress', {
    mesh: Mesh.istio(), hosts: [{ host: 'api.example.com', protocol: EgressProtocol.TLS, port: 443, addresses: [address] }],
  }))).toContain(`got ${JSON.stringify(address)}: not an IP address or CIDR`);
});

test('lint: Linkerd networks and Istio ipBlocks that are not CIDRs are errors (K104); an IPv6 except outside its cidr is L107', () => {
  const codes = (yaml: string) => MeshAnalyzer.analyzeYaml(yaml).findings.map(f => f.code).sort();
  expect(codes(`apiVersion: policy.linkerd.io/v1alpha1
kind: NetworkAuthentication
metadata: {name: n, namespace: shop}
spec:
  networks: [{cidr: "fff:::::/100"}, {cidr: "fd00::/8", except: ["fe80::/16"]}, {cidr: "fd00::/8", except: ["fd00:1::/32"]}]
`)).toEqual(['K104', 'L107']);
});

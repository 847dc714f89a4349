import * as yaml from 'js-yaml';
import { MeshAnalyzer } from '../../src';
import { MeshGraph } from '../../src/graph/model';
import { captureStderr } from '../util';

captureStderr();

// An Istio Gateway's server host namespace/host is for the VirtualServices of that namespace only; no
// namespace (or */) is every namespace, ./ the Gateway's own (pkg/config/host/names.go NamesForNamespace, read
// by istiod's buildGatewayHTTPRouteConfig and istioctl's IST0132 vsHostInGateway)
const gateway = (host: string) => `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: shop, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [${JSON.stringify(host)}]`;
const vs = (ns: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop-ingress, namespace: ${ns}}
spec:
  hosts: [shop.example.com]
  gateways: [shop/shop]
  http:
  - route: [{destination: {host: web.${ns}.svc.cluster.local, port: {number: 80}}}]`;
const objects = (host: string, vsNs: string) => yaml.loadAll([gateway(host), vs(vsNs)].join('\n---\n')) as any[];
const i108 = (host: string, vsNs: string) => MeshAnalyzer.analyzeObjects(objects(host, vsNs)).findings.filter(f => f.code === 'I108');
const ingress = (host: string, vsNs: string) => MeshGraph.fromManifests(objects(host, vsNs)).ingress.map(i => `${i.gateway} ${i.service}`);

describe('I108 and the graph read a Gateway host\'s namespace', () => {
  test.each([
    ['shop.example.com', 'shop'], ['shop.example.com', 'other'],
    ['*/shop.example.com', 'other'], ['shop/shop.example.com', 'shop'], ['./shop.example.com', 'shop'],
  ])('host %s binds a VirtualService in %s', (host, ns) => {
    expect(i108(host, ns)).toEqual([]);
    expect(ingress(host, ns)).toEqual([`shop/shop ${ns}/web`]);
  });

  test.each([['shop/shop.example.com', 'other'], ['./shop.example.com', 'other'], ['team/shop.example.com', 'shop']])('host %s does not bind a VirtualService in %s', (host, ns) => {
    const found = i108(host, ns);
    expect(found.map(f => f.code)).toEqual(['I108']);
    const only = host.startsWith('./') ? 'shop' : host.split('/')[0];
    expect(found[0].message).toContain(`Gateway shop/shop serves ${host} to the VirtualServices of ${only} only, not to this one in ${ns}`);
    expect(found[0].message).toContain(`add ${ns}/shop.example.com to the Gateway's servers`);
    expect(ingress(host, ns)).toEqual([]);
  });

  test('a host the Gateway does not serve at all keeps the plain message', () => {
    const found = i108('shop/blog.example.com', 'shop');
    expect(found.map(f => f.message)).toEqual([expect.stringContaining('Gateway shop/shop serves shop/blog.example.com, none of this VirtualService\'s hosts')]);
  });
});

describe('I127 compares a Gateway host without its namespace', () => {
  // istiod's own duplicate check compares the strings (pilot/pkg/model/gateway.go MergeGateways CheckDuplicates):
  // shop/x and blog/x on one port of the same pods become two filter chains with one SNI, which Envoy rejects
  const https = (ns: string, host: string) => `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: ${ns}}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [${JSON.stringify(host)}]
    tls: {mode: SIMPLE, credentialName: cert-${ns}}`;
  const i127 = (a: string, b: string) => MeshAnalyzer.analyzeObjects(yaml.loadAll([https('shop', a), https('blog', b)].join('\n---\n')) as any[])
    .findings.filter(f => f.code === 'I127');
  test.each([['shop/shop.example.com', 'blog/shop.example.com'], ['shop/shop.example.com', 'shop.example.com']])('%s and %s on the same pods and port', (a, b) => {
    expect(i127(a, b).map(f => f.message)).toEqual([expect.stringContaining('port 443 host shop.example.com is already claimed by Gateway shop/gw')]);
  });
  test('two hosts do not collide', () => {
    expect(i127('shop/shop.example.com', 'blog/blog.example.com')).toEqual([]);
  });
});

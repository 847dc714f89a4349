import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'valid');

function run(argv: string[], stdin = '') {
  let out = '';
  let err = '';
  const code = main(argv, { stdout: s => { out += s; }, stderr: s => { err += s; }, stdin: () => stdin });
  return { code, out, err };
}

function tmpFile(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-cli-'));
  const file = path.join(dir, 'm.yaml');
  fs.writeFileSync(file, content);
  return file;
}

const BAD_VS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: payment, namespace: shop}
spec:
  hosts: [payment]
  http:
  - timeout: 0s
    route: [{destination: {host: payment}}]
`;

describe('cdk8s-mesh validate', () => {
  test('exits 0 on a folder of valid manifests and prints a summary', () => {
    const r = run(['validate', FIXTURES]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/32 documents, 32 checked against the pinned CRDs: 0 errors, 0 warnings, 0 notes/);
  });

  test('exits 1 on findings, naming file, line, resource, field and code', () => {
    const file = tmpFile(BAD_VS);
    const r = run(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`ERROR CEL001 ${file}:7 [doc 0] VirtualService shop/payment: spec.http[0].timeout: must be a valid duration greater than 1ms (got "0s")`);
  });

  test('--format json gives machine-readable findings', () => {
    const r = run(['validate', '--format', 'json', tmpFile(BAD_VS)]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ documents: 1, checked: 1, valid: false });
    expect(report.findings[0]).toMatchObject({ code: 'CEL001', severity: 'error', path: 'spec.http[0].timeout', resource: 'VirtualService shop/payment', line: 7 });
  });

  test('reads standard input with -', () => {
    const r = run(['validate', '-'], BAD_VS);
    expect(r.code).toBe(1);
    expect(r.out).toContain('<stdin>:7');
  });

  test('exits 2 on a parse error', () => {
    const r = run(['validate', tmpFile('kind: [\n')]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/YAML001 .*m\.yaml:2/);
  });

  test.each([
    [[], /no command given/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['validate'], /needs at least one PATH/],
    [['validate', '--format', 'xml', FIXTURES], /--format takes text or json, got "xml"/],
    [['validate', '--nope', FIXTURES], /unknown option --nope/],
    [['validate', '/no/such/file.yaml'], /no such file or folder: \/no\/such\/file.yaml/],
  ])('exits 2 on usage errors: %j', (argv, message) => {
    const r = run(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  test('--strict fails on kinds without a pinned schema', () => {
    const file = tmpFile('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n');
    expect(run(['validate', file]).code).toBe(0);
    expect(run(['validate', '--strict', file]).code).toBe(1);
  });
});

describe('cdk8s-mesh reachability', () => {
  const POLICY = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: payment-allow, namespace: shop}
spec:
  selector: {matchLabels: {app: payment}}
  action: ALLOW
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]
    to: [{operation: {methods: [POST], paths: [/process-payment]}}]
`;

  test('prints who may call whom as a table', () => {
    const r = run(['reachability', '--namespace', 'shop', tmpFile(POLICY)]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('mesh: istio');
    expect(r.out).toMatch(/shop\/order\s+shop\/payment\s+POST \/process-payment\s+ALLOW\s+AuthorizationPolicy shop\/payment-allow rules\[0\]/);
    expect(r.out).toMatch(/shop\/unnamed\s+shop\/payment\s+POST \/process-payment\s+DENY/);
  });

  test('answers one request as JSON', () => {
    const r = run(['reachability', '--format', 'json', '--from', 'shop/web', '--to', 'shop/payment', '--method', 'POST', '--path', '/process-payment', '-'], POLICY);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      mesh: 'istio',
      decisions: [{ caller: 'shop/web', service: 'shop/payment', method: 'POST', path: '/process-payment', withJwt: false, allowed: false, mesh: 'istio', reason: 'no rule of the ALLOW policies matches (AuthorizationPolicy shop/payment-allow)' }],
    });
  });

  test('Consul: --consul-acl-default decides the requests no intention decides', () => {
    const intentions = `apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: payment, namespace: shop}
spec:
  destination: {name: payment}
  sources: [{name: order, permissions: [{action: allow, http: {pathExact: /process-payment}}]}]
`;
    const decide = (extra: string[]) => JSON.parse(run(['reachability', '--format', 'json', '--from', 'shop/order', '--to', 'shop/payment', '--path', '/admin', ...extra, '-'], intentions).out).decisions[0].allowed;
    expect([decide([]), decide(['--consul-acl-default', 'allow']), decide(['--consul-acl-default', 'deny'])]).toEqual([true, true, false]);
    const bad = run(['reachability', '--consul-acl-default', 'maybe', '-'], intentions);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--consul-acl-default: got "maybe": use allow or deny');
  });

  test.each([
    [['reachability'], /needs at least one PATH/],
    [['reachability', '--from'], /--from needs a value/],
    [['reachability', '--format', 'csv', FIXTURES], /--format takes text or json/],
    [['reachability', '--bogus', FIXTURES], /unknown option --bogus/],
    [['reachability', '/no/such'], /no such file or folder/],
  ])('exits 2 on usage errors: %j', (argv, message) => {
    const r = run(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});

describe('cdk8s-mesh lint', () => {
  const BAD = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: payment, namespace: shop}
spec:
  hosts: [payment]
  http:
  - route: [{destination: {host: payment, subset: v3}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: payment, namespace: shop}
spec:
  host: payment
  subsets: [{name: v1, labels: {version: v1}}]
`;

  test('exits 1 on findings, with file, line, resource, field, code and upstream rule', () => {
    const file = tmpFile(BAD);
    const r = run(['lint', file]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`ERROR I101 ${file}:7 [doc 0] VirtualService shop/payment: spec.http[0].route[0].destination.subset: subset "v3" of host payment.shop.svc.cluster.local is not defined by any DestinationRule`);
    expect(r.out).toContain('[IST0101 ReferencedResourceNotFound (subset), KIA1107]');
    expect(r.out).toMatch(/2 documents analyzed with \d+ rules: 1 errors, 0 warnings, 0 notes/);
  });

  test('exits 0 on the clean fixtures, and reads stdin as JSON output', () => {
    expect(run(['lint', path.join(FIXTURES, 'istio.yaml')]).code).toBe(0);
    const r = run(['lint', '--format', 'json', '-'], BAD);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).findings[0]).toMatchObject({ code: 'I101', severity: 'error', file: '<stdin>', line: 7 });
  });

  test('--min-severity filters; a bad value is a usage error', () => {
    const warningOnly = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: payment, namespace: shop}
spec: {host: payment, subsets: [{name: v1}]}
`;
    expect(run(['lint', '-'], warningOnly).code).toBe(1);
    expect(run(['lint', '--min-severity', 'error', '-'], warningOnly).code).toBe(0);
    const bad = run(['lint', '--min-severity', 'fatal', '-'], warningOnly);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--min-severity takes error, warning, info, got "fatal"');
  });

  test('exits 2 on a parse error', () => {
    expect(run(['lint', tmpFile('kind: [\n')]).code).toBe(2);
  });
});

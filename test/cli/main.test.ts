import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MeshAnalyzer } from '../../src';
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
    expect(report).toMatchObject({ command: 'validate', documents: 1, checked: 1, failOn: 'error', clean: false });
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
    [['validate', '--format', 'xml', FIXTURES], /--format takes text, json, sarif, junit or github, got "xml"/],
    [['validate', '--fail-on', 'info', FIXTURES], /--fail-on takes error or warning, got "info"/],
    [['lint', '--fail-on'], /lint: --fail-on needs a value/],
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
      command: 'reachability',
      documents: 1,
      mesh: 'istio',
      decisions: [{ kind: 'Service', namespace: 'shop', name: 'payment', caller: 'shop/web', service: 'shop/payment', method: 'POST', path: '/process-payment', withJwt: false, allowed: false, mesh: 'istio', reason: 'no rule of the ALLOW policies matches (AuthorizationPolicy shop/payment-allow)' }],
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

  test('the summary counts the rules that read the manifests: those of the meshes of the files and of stdin together', () => {
    const all = MeshAnalyzer.rules();
    const of = (...meshes: string[]) => all.filter(r => meshes.includes(r.mesh)).length;
    const count = (out: string) => Number(/analyzed with (\d+) rules/.exec(out)?.[1]);
    const linkerd = 'apiVersion: policy.linkerd.io/v1beta3\nkind: Server\nmetadata: {name: web, namespace: shop}\nspec: {podSelector: {matchLabels: {app: web}}, port: 8080}\n';
    expect(count(run(['lint', tmpFile(BAD)]).out)).toBe(of('istio', 'any'));
    expect(count(run(['lint', '-'], linkerd).out)).toBe(of('linkerd', 'any'));
    // a file of Istio manifests and Linkerd manifests on stdin: the rules of both meshes, each counted once
    expect(count(run(['lint', tmpFile(BAD), '-'], linkerd).out)).toBe(of('istio', 'linkerd', 'any'));
    // and at --min-severity error, the error rules only
    expect(count(run(['lint', '--min-severity', 'error', tmpFile(BAD)]).out)).toBe(all.filter(r => ['istio', 'any'].includes(r.mesh) && r.severity === 'error').length);
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
    // one default for the CLI, the plugin and cdk8s synth: errors fail; --fail-on warning fails on warnings too
    expect(run(['lint', '-'], warningOnly).code).toBe(0);
    expect(run(['lint', '--fail-on', 'warning', '-'], warningOnly).code).toBe(1);
    expect(run(['lint', '--fail-on', 'warning', '--min-severity', 'error', '-'], warningOnly).code).toBe(0);
    const bad = run(['lint', '--min-severity', 'fatal', '-'], warningOnly);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--min-severity takes error, warning, info, got "fatal"');
  });

  test('exits 2 on a parse error', () => {
    expect(run(['lint', tmpFile('kind: [\n')]).code).toBe(2);
  });
});

/** A 477-byte "billion laughs": nine levels of nine aliases, 9^9 strings once expanded, in a pinned kind. */
const ALIAS_BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((n, i) => `${n}: &${n} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
  'apiVersion: networking.istio.io/v1', 'kind: DestinationRule', 'metadata: {name: x, namespace: shop}', 'spec: {host: x, exportTo: *i}', '',
].join('\n');

/** n Istio services, each with an ALLOW policy for its own caller and path. */
function policies(n: number): string {
  return Array.from({ length: n }, (_, i) => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: svc-${i}, namespace: shop}
spec:
  selector: {matchLabels: {app: svc-${i}}}
  action: ALLOW
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/caller-${i}]}}]
    to: [{operation: {methods: [GET], paths: [/api/${i}]}}]
`).join('---\n');
}

const POLICY = (svc: string, caller: string) => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${svc}, namespace: shop}
spec:
  selector: {matchLabels: {app: ${svc}}}
  action: ALLOW
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/${caller}]}}]}]
`;

describe('the commands never crash: bad input exits 2 with a message (1 means findings)', () => {
  test('a YAML alias bomb is refused by every command, not expanded', () => {
    expect(Buffer.byteLength(ALIAS_BOMB)).toBeLessThan(500);
    const file = tmpFile(ALIAS_BOMB);
    for (const command of ['validate', 'lint']) {
      const r = run([command, file]);
      expect(r.code).toBe(2);
      expect(r.out).toContain(`ERROR YAML001 ${file} the YAML is refused: document 0 expands to more than 3 MiB through its aliases (an alias bomb?): the API server refuses a request body over 3 MiB; split it into smaller documents, or write it without YAML anchors and aliases`);
    }
    const r = run(['reachability', file]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`cdk8s-mesh: cannot read the manifests: ${file}: the YAML is refused: document 0 expands to more than 3 MiB`);
    // the same anchors with few aliases are read as usual
    const small = run(['validate', '-'], 'a: &a [payment]\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: x, namespace: shop}\nspec: {host: x, exportTo: *a}\n');
    expect(small.out).toContain('SCH004'); // the unknown top-level field a, not a refusal
    expect(small.out).not.toContain('YAML001');
  });

  test('a recursive alias is refused, exit 2', () => {
    const r = run(['validate', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: &d {self: *d}\n');
    expect(r.code).toBe(2);
    expect(r.out).toContain('YAML001');
  });

  test('a symbolic link loop in a folder is skipped with a warning by validate, lint and reachability', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-loop-'));
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'm.yaml'), POLICY('payment', 'order'));
    fs.symlinkSync('..', path.join(dir, 'sub', 'up')); // a loop of folders
    fs.symlinkSync('self.yaml', path.join(dir, 'self.yaml')); // ELOOP
    fs.symlinkSync('nothing.yaml', path.join(dir, 'broken.yaml'));
    for (const command of ['validate', 'lint', 'reachability']) {
      const r = run([command, dir]);
      expect(r.code).toBe(0);
      expect(r.err).toContain(`cdk8s-mesh: warning: skipped ${path.join(dir, 'self.yaml')}: a loop of symbolic links`);
      expect(r.err).toContain(`cdk8s-mesh: warning: skipped ${path.join(dir, 'broken.yaml')}: a symbolic link to nothing`);
      expect(r.err).toContain(`cdk8s-mesh: warning: skipped ${path.join(dir, 'sub', 'up')}: it is ${fs.realpathSync(dir)}, already read`);
    }
    // the file is read once, not once per way to reach it
    expect(run(['validate', dir]).out).toContain('1 documents, 1 checked');
  });

  test('reachability at 1,000 policies: the whole text table (2 million decisions), without overflowing the stack', () => {
    let lines = 0;
    let last = '';
    const code = main(['reachability', '-'], {
      stdout: s => { lines += s.split('\n').length - 1; last = s; },
      stderr: s => { throw new Error(s); },
      stdin: () => policies(1000),
    });
    expect(code).toBe(0);
    // mesh line + header + 1,000 services x (1,000 callers + unnamed) x (GET / and GET /api/i)
    expect(lines).toBe(2 + 1000 * 1001 * 2);
    expect(last).toMatch(/default\/unnamed +shop\/svc-999 +GET \/api\/999 +DENY +no rule of the ALLOW policies matches \(AuthorizationPolicy shop\/svc-999\)\n$/);
  }, 300_000);

  test('reachability - FILE reads standard input and the file', () => {
    const r = run(['reachability', '-', tmpFile(POLICY('user', 'web'))], POLICY('payment', 'order'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/shop\/order +shop\/payment +GET \/ +ALLOW/);
    expect(r.out).toMatch(/shop\/web +shop\/user +GET \/ +ALLOW/);
  });

  test('reachability --format json is the same JSON, written in pieces', () => {
    const r = run(['reachability', '--format', 'json', '-'], policies(3));
    const parsed = JSON.parse(r.out);
    expect(r.out).toBe(JSON.stringify(parsed, undefined, 2) + '\n');
    expect(parsed.decisions).toHaveLength(3 * 4 * 2);
    expect(run(['reachability', '--format', 'json', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n').out).toBe('{\n  "command": "reachability",\n  "documents": 1,\n  "mesh": "none",\n  "decisions": []\n}\n');
  });

  test('validate, lint and reachability --format json: one shape (command, documents, then entries with kind, namespace and name as fields)', () => {
    const input = POLICY('payment', 'order');
    const shapes = ['validate', 'lint', 'reachability'].map(command => JSON.parse(run([command, '--format', 'json', '-'], input).out));
    for (const [i, command] of ['validate', 'lint', 'reachability'].entries()) {
      expect(Object.keys(shapes[i]).slice(0, 2)).toEqual(['command', 'documents']);
      expect(shapes[i]).toMatchObject({ command, documents: 1 });
    }
    // lint and validate report findings of objects, reachability decisions on services: the same three fields
    const decision = shapes[2].decisions.find((d: any) => d.caller === 'shop/order');
    expect(decision).toMatchObject({ kind: 'Service', namespace: 'shop', name: 'payment', service: 'shop/payment', method: 'GET', path: '/', allowed: true });
    // a service of the default namespace (--namespace) has that namespace as a field
    const web = JSON.parse(run(['reachability', '--format', 'json', '--namespace', 'shop', '--to', 'web', '--from', 'shop/order', '-'], input).out);
    expect(web.decisions.map((d: any) => [d.kind, d.namespace, d.name, d.service])).toEqual([['Service', 'shop', 'web', 'shop/web']]);
  });

  test('the items of a kind: List are checked by validate, lint and reachability', () => {
    const list = `apiVersion: v1
kind: List
items:
- apiVersion: networking.istio.io/v1
  kind: VirtualService
  metadata: {name: payment, namespace: shop}
  spec:
    hosts: [payment]
    http:
    - timeout: 0s
      route: [{destination: {host: payment, subset: v3}}]
- ${POLICY('payment', 'order').trimEnd().split('\n').join('\n  ')}
`;
    const validated = run(['validate', '-'], list);
    expect(validated.code).toBe(1);
    expect(validated.out).toContain('ERROR CEL001 <stdin>:10 [doc 0] VirtualService shop/payment: items[0].spec.http[0].timeout: must be a valid duration greater than 1ms (got "0s")');
    expect(validated.out).toContain('2 documents, 2 checked');
    const linted = run(['lint', '-'], list);
    expect(linted.code).toBe(1);
    expect(linted.out).toContain('ERROR I101 <stdin>:11 [doc 0] VirtualService shop/payment: items[0].spec.http[0].route[0].destination.subset: subset "v3"');
    const reach = run(['reachability', '-'], list);
    expect(reach.out).toMatch(/shop\/order +shop\/payment +GET \/ +ALLOW/);
  });

  test('a failure inside a command exits 2, never 1', () => {
    const r = main(['lint', '-'], { stdout: () => undefined, stderr: () => undefined, stdin: () => { throw new TypeError('boom'); } });
    expect(r).toBe(2);
    let err = '';
    expect(main(['validate', '-'], { stdout: () => undefined, stderr: s => { err += s; }, stdin: () => { throw Object.assign(new Error('EISDIR: illegal operation on a directory, read'), { code: 'EISDIR', syscall: 'read' }); } })).toBe(2);
    expect(err).toContain('cdk8s-mesh: cannot read the input: EISDIR');
  });
});

describe('lint of a cluster\'s whole output reports an object defined twice, on every mesh', () => {
  const twice = (a: string, b: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-dup-'));
    fs.writeFileSync(path.join(dir, 'shop.yaml'), a);
    fs.writeFileSync(path.join(dir, 'us-west.yaml'), b);
    return run(['lint', dir]);
  };
  test.each([
    ['istio', 'networking.istio.io/v1', 'DestinationRule', '{host: payment, subsets: [{name: v1, labels: {version: v1}}]}', '{host: payment, trafficPolicy: {outlierDetection: {consecutive5xxErrors: 5}}}'],
    ['linkerd', 'policy.linkerd.io/v1beta3', 'Server', '{podSelector: {matchLabels: {app: payment}}, port: 8080, accessPolicy: deny}', '{podSelector: {matchLabels: {app: payment}}, port: 8080, accessPolicy: audit}'],
    ['consul', 'consul.hashicorp.com/v1alpha1', 'ServiceResolver', '{subsets: {v1: {filter: "Service.Meta.version == v1"}}}', '{failover: {"*": {targets: [{peer: eu-west}]}}}'],
  ])('%s: two files of one cluster with %s shop/payment', (_mesh, apiVersion, kind, specA, specB) => {
    const doc = (spec: string) => `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: payment, namespace: shop}\nspec: ${spec}\n`;
    const r = twice(doc(specA), doc(specB));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`ERROR K101 \\S+us-west.yaml:1 \\[doc 0\\] ${kind} shop/payment: also defined \\(\\S+shop.yaml, doc 0\\) with different content \\(they differ at spec\\.\\w+\\): applied together, the one applied last replaces the other`));
    const same = twice(doc(specA), doc(specA));
    expect(same.out).toContain('WARNING K102');
    expect(same.out).not.toContain('K101');
  });
});

describe('which files a folder holds (issue 19 item 6)', () => {
  /** A project folder as `cdk8s synth` leaves it: dist/ with construct-metadata.json, node_modules, a dot-folder. */
  function project(): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-project-'));
    const dist = path.join(root, 'dist');
    fs.mkdirSync(dist);
    fs.copyFileSync(path.join(FIXTURES, fs.readdirSync(FIXTURES).filter(f => f.endsWith('.yaml')).sort()[0]), path.join(dist, 'app.k8s.yaml'));
    fs.writeFileSync(path.join(dist, 'construct-metadata.json'), JSON.stringify({ version: '1.0.0', resources: { payment: { path: 'shop/payment' } } }));
    for (const dir of ['node_modules/some-lib/test', '.git/objects', 'dist/.cache', 'tmp']) fs.mkdirSync(path.join(root, dir), { recursive: true });
    for (const f of ['node_modules/some-lib/test/bad.yaml', '.git/objects/bad.yaml', 'dist/.cache/bad.yaml', 'tmp/bad.yaml', 'dist/scratch.test.yaml']) fs.writeFileSync(path.join(root, f), BAD_VS);
    return root;
  }

  test('validate dist/ skips construct-metadata.json and dot-folders; --ignore skips more', () => {
    const root = project();
    const all = run(['validate', '--format', 'json', path.join(root, 'dist')]);
    expect(JSON.parse(all.out).findings.map((f: any) => path.basename(f.file))).toEqual(['scratch.test.yaml']);
    const r = run(['validate', '--ignore', '*.test.yaml', path.join(root, 'dist')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  test.each(['validate', 'lint', 'reachability'])('%s . skips node_modules and dot-folders, and --ignore GLOB relative to the folder', command => {
    const root = project();
    const r = run([command, '--format', 'json', '--ignore', 'tmp/**', '--ignore', 'dist/*.test.yaml', root]);
    expect(r.err).toBe('');
    expect(r.out).not.toContain('bad.yaml');
    expect(r.out).not.toContain('scratch.test.yaml');
    expect(r.code).toBe(0);
  });

  test('validate and lint read the same files', () => {
    const root = project();
    const files = (command: string) => [...new Set(JSON.parse(run([command, '--format', 'json', root]).out).findings.map((f: any) => path.relative(root, f.file)))].sort();
    expect(files('validate')).toEqual(['dist/scratch.test.yaml', 'tmp/bad.yaml']);
    const documents = (command: string) => JSON.parse(run([command, '--format', 'json', root]).out).documents;
    expect(documents('lint')).toBe(documents('validate'));
    expect(documents('validate')).toBeGreaterThan(2);
  });
});

describe('per-command help and version, machine formats, --fail-on, one JSON shape (issue 19 item 7)', () => {
  const pkgVersion = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version;

  test.each(['validate', 'lint', 'reachability'])('%s --help prints that command\'s options (exit 0); --version the package version', command => {
    const r = run([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${command}: `);
    expect(r.out).toContain('--ignore GLOB');
    for (const other of ['validate', 'lint', 'reachability'].filter(c => c !== command)) expect(r.out).not.toContain(`\n${other}: `);
    expect(run([command, '-h']).code).toBe(0);
    expect(run([command, '--version'])).toEqual({ code: 0, out: `${pkgVersion}\n`, err: '' });
  });

  test('cdk8s-mesh --version', () => {
    expect(run(['--version']).out).toBe(`${pkgVersion}\n`);
  });

  test('validate and lint: one JSON shape, with kind, namespace and name as fields', () => {
    const file = tmpFile(BAD_VS);
    const shapes = ['validate', 'lint'].map(c => JSON.parse(run([c, '--format', 'json', file]).out));
    for (const [i, shape] of shapes.entries()) {
      expect(Object.keys(shape).filter(k => k !== 'checked')).toEqual(['command', 'documents', 'failOn', 'clean', 'findings']);
      expect(shape.command).toBe(['validate', 'lint'][i]);
    }
    expect(shapes[0].findings[0]).toMatchObject({ kind: 'VirtualService', namespace: 'shop', name: 'payment', resource: 'VirtualService shop/payment' });
  });

  test('--format sarif is SARIF 2.1.0 with rule, level, file, line and the docs URL', () => {
    const file = tmpFile(BAD_VS);
    const r = run(['validate', '--format', 'sarif', file]);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.out);
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].tool.driver.rules).toEqual([{ id: 'CEL001', helpUri: 'https://github.com/cdk8s-mesh/cdk8s-mesh/blob/main/docs/findings.md#validator-codes' }]);
    expect(log.runs[0].results[0]).toMatchObject({
      ruleId: 'CEL001',
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: file }, region: { startLine: 7 } }, logicalLocations: [{ fullyQualifiedName: 'VirtualService shop/payment:spec.http[0].timeout' }] }],
    });
  });

  test('--format junit is one failing test case per finding at --fail-on, one passing case when clean', () => {
    const r = run(['lint', '--format', 'junit', '-'], `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: payment, namespace: shop}
spec:
  hosts: [payment]
  http:
  - route: [{destination: {host: payment, subset: v3}}]
`);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites>\n  <testsuite name="cdk8s-mesh lint" tests="1" failures="1" errors="0">/);
    expect(r.out).toContain('<testcase classname="cdk8s-mesh.lint.I101" name="VirtualService shop/payment spec.http[0].route[0].destination.subset" file="&lt;stdin&gt;">');
    const clean = run(['validate', '--format', 'junit', path.join(FIXTURES, 'istio.yaml')]);
    expect(clean.code).toBe(0);
    expect(clean.out).toContain('tests="1" failures="0"');
  });

  test('--format github writes workflow annotations, escaped', () => {
    const file = tmpFile(BAD_VS);
    const r = run(['validate', '--format', 'github', file]);
    expect(r.out).toBe(`::error file=${file},line=7,title=CEL001 VirtualService shop/payment::spec.http[0].timeout: must be a valid duration greater than 1ms (got "0s")\n`);
    const warning = run(['lint', '--format', 'github', '-'], 'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: payment, namespace: shop}\nspec: {host: payment, subsets: [{name: v1}]}\n');
    expect(warning.out).toMatch(/^::warning file=<stdin>,line=\d+,title=I110 DestinationRule shop\/payment::/);
    expect(warning.code).toBe(0);
  });

  test('--fail-on warning fails validate on warnings; --strict does by default', () => {
    const file = tmpFile('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n');
    expect(run(['validate', '--strict', file]).code).toBe(1);
    expect(run(['validate', '--strict', '--fail-on', 'error', file]).code).toBe(0);
    expect(run(['validate', '--fail-on', 'warning', file]).code).toBe(0);
  });
});

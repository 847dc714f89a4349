import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { shop } from './shop';
import { SHOP_MESHES } from '../../examples/shop/main';
import { readGitRevision } from '../../src/cli/graph';
import { main } from '../../src/cli/main';
import { MeshDiff } from '../../src/graph/diff';
import { captureStderr } from '../util';

captureStderr();

const clone = (x: any) => JSON.parse(JSON.stringify(x));

/** The policy objects that say who may call payment, per mesh, and how to add or remove a caller there. */
function paymentCallers(folder: string, objects: any[], change: (callers: string[]) => string[]): any[] {
  const copy = clone(objects);
  if (folder.startsWith('istio')) {
    const ap = copy.find((o: any) => o.kind === 'AuthorizationPolicy' && o.apiVersion.startsWith('security.istio.io/') && o.metadata.name === 'payment-allow');
    const source = ap.spec.rules[0].from[0].source;
    source.principals = change(source.principals.map((p: string) => p.replace(/^cluster\.local\/ns\/shop\/sa\//, ''))).map(sa => `cluster.local/ns/shop/sa/${sa}`);
  } else if (folder === 'linkerd') {
    const auth = copy.find((o: any) => o.kind === 'MeshTLSAuthentication' && o.metadata.name === 'payment-from-order');
    const others = auth.spec.identityRefs.filter((r: any) => r.namespace);
    auth.spec.identityRefs = [...change(auth.spec.identityRefs.filter((r: any) => !r.namespace).map((r: any) => r.name)).map(name => ({ kind: 'ServiceAccount', name })), ...others];
  } else {
    const si = copy.find((o: any) => o.kind === 'ServiceIntentions' && o.metadata.name === 'payment');
    const order = si.spec.sources.find((s: any) => s.name === 'order');
    const named = si.spec.sources.filter((s: any) => s.name !== '*' && s.name !== 'shop').map((s: any) => s.name);
    const rest = si.spec.sources.filter((s: any) => s.name === '*' || s.name === 'shop');
    si.spec.sources = [...change(named).map(name => ({ ...clone(order), name })), ...rest];
  }
  return copy;
}

/** Every object in reverse order, and every map's keys in reverse order. */
function reorder(objects: any[]): any[] {
  const keys = (x: any): any => (Array.isArray(x) ? x.map(keys) : x && typeof x === 'object'
    ? Object.fromEntries(Object.keys(x).reverse().map(k => [k, keys(x[k])])) : x);
  return [...objects].reverse().map(keys);
}

function write(objects: any[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-diff-'));
  fs.writeFileSync(path.join(dir, 'shop.yaml'), objects.map(o => yaml.dump(o, { noRefs: true })).join('---\n'));
  return dir;
}

function run(argv: string[]) {
  let out = '';
  let err = '';
  const code = main(argv, { stdout: s => { out += s; }, stderr: s => { err += s; }, stdin: () => '' });
  return { code, out, err };
}

describe.each(SHOP_MESHES.map(([folder]) => folder))('cdk8s-mesh diff on the shop for %s', folder => {
  const before = shop(folder);

  test('a change that lets web call payment: newly allowed, access widens, exit 1', () => {
    const after = paymentCallers(folder, before, callers => [...callers, 'web']);
    const diff = MeshDiff.between(before, after);
    const added = diff.newlyAllowed.filter(c => !c.service.startsWith('shop/payment-v')).map(c => `${c.caller} -> ${c.service} ${c.method} ${c.path}`);
    expect(added).toEqual(['shop/web -> shop/payment POST /process-payment']);
    expect(diff.newlyDenied).toEqual([]);
    expect(diff.widensAccess).toBe(true);
    expect(diff.objects.map(o => `${o.change} ${o.what} ${o.key}`)).toHaveLength(1);
    const r = run(['diff', write(before), write(after)]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/NEWLY ALLOWED \(\d+\):\n {2}\+ shop\/web -> shop\/payment(-v\d)? POST \/process-payment/);
    expect(r.out).toMatch(/access widens/);
    const md = run(['diff', '--format', 'markdown', write(before), write(after)]);
    expect(md.code).toBe(1);
    expect(md.out).toMatch(/\*\*Access widens\*\*/);
    expect(md.out).toMatch(/\| `shop\/web` \| `shop\/payment` \| `POST \/process-payment` \|/);
    const json = JSON.parse(run(['diff', '--format', 'json', write(before), write(after)]).out);
    expect(json.widensAccess).toBe(true);
    expect(json.newlyAllowed.some((c: any) => c.caller === 'shop/web' && c.service === 'shop/payment' && c.method === 'POST')).toBe(true);
  });

  test('a change that only reorders objects and keys: no difference, exit 0', () => {
    const diff = MeshDiff.between(before, reorder(before));
    expect(diff.empty).toBe(true);
    expect(diff.widensAccess).toBe(false);
    const r = run(['diff', write(before), write(reorder(before))]);
    expect(r).toEqual({ code: 0, out: 'no difference\n', err: '' });
  });

  test('a change that takes order off payment: newly denied, access does not widen, exit 0', () => {
    const after = paymentCallers(folder, before, callers => callers.filter(c => c !== 'order'));
    const diff = MeshDiff.between(before, after);
    expect(diff.newlyDenied.filter(c => !c.service.startsWith('shop/payment-v')).map(c => `${c.caller} -> ${c.service} ${c.method} ${c.path}`))
      .toEqual(['shop/order -> shop/payment POST /process-payment']);
    expect(diff.newlyAllowed).toEqual([]);
    expect(run(['diff', write(before), write(after)]).code).toBe(0);
  });

  test('the next release step: the weights change (90/10 to 75/25), nothing else of access', () => {
    const diff = MeshDiff.between(before, shop(folder, { releaseStep: 2 }));
    expect(diff.newlyAllowed).toEqual([]);
    expect(diff.newlyDenied).toEqual([]);
    expect(diff.widensAccess).toBe(false);
    const weights = diff.routes.filter(c => c.change === 'changed' && /90/.test(c.before!));
    expect(weights.length).toBeGreaterThan(0);
    for (const c of weights) {
      expect(c.key).toMatch(/^shop\/payment /);
      expect(c.before).toMatch(/v1 90, .*v2 10/);
      expect(c.after).toMatch(/v1 75, .*v2 25/);
    }
    expect(diff.objects.every(o => o.change === 'changed')).toBe(true);
  });

  test('a resilience setting changed and an object added: reported per kind', () => {
    const after = clone(before);
    const svc = after.find((o: any) => o.kind === 'Service' && o.metadata.name === 'payment');
    if (folder === 'linkerd') svc.metadata.annotations['balancer.linkerd.io/failure-accrual-consecutive-max-failures'] = '9';
    else if (folder === 'consul') after.find((o: any) => o.kind === 'ServiceDefaults' && o.metadata.name === 'order').spec.upstreamConfig.overrides[0].passiveHealthCheck.maxFailures = 9;
    else after.find((o: any) => o.kind === 'DestinationRule' && o.metadata.name === 'payment').spec.trafficPolicy.outlierDetection.consecutive5xxErrors = 9;
    after.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra', namespace: 'shop' }, data: {} });
    const diff = MeshDiff.between(before, after);
    const cb = diff.settings.filter(s => /^shop\/payment circuitBreaker/.test(s.key));
    expect(cb).toHaveLength(1);
    expect(cb[0].change).toBe('changed');
    expect(cb[0].after).toMatch(/9/);
    expect(diff.objects.filter(o => o.change === 'added')).toEqual([{ what: 'ConfigMap', key: 'shop/extra', change: 'added' }]);
    expect(diff.widensAccess).toBe(false);
    expect(diff.toText()).toMatch(/RESILIENCE SETTINGS \(1\):\n {2}~ shop\/payment circuitBreaker/);
  });
});

describe('MeshDiff: a cluster-scoped object has no namespace', () => {
  test('a Namespace manifest that gains or loses metadata.namespace is the same object, unchanged; its key has no namespace', () => {
    const ns = (namespace?: string, labels?: object) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) } });
    expect(MeshDiff.between([ns('shop')], [ns()]).objects).toEqual([]);
    expect(MeshDiff.between([ns('shop')], [ns(undefined, { team: 'x' })]).objects).toEqual([{ what: 'Namespace', key: 'shop', change: 'changed' }]);
    // a namespaced object that moves namespace is removed and added
    const svc = (namespace: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace } });
    expect(MeshDiff.between([svc('a')], [svc('b')]).objects.map(o => `${o.change} ${o.key}`).sort()).toEqual(['added b/s', 'removed a/s']);
  });
});

describe('cdk8s-mesh diff: entry points and external hosts', () => {
  const before = shop('istio');

  test('a new external host widens access; an ingress route removed does not', () => {
    const after = clone(before);
    after.push({ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'evil', namespace: 'shop' }, spec: { hosts: ['evil.example.com'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], location: 'MESH_EXTERNAL' } });
    const widened = MeshDiff.between(before, after);
    expect(widened.ingressEgress).toEqual([{ what: 'egress', key: 'shop evil.example.com', change: 'added', after: '443/TLS' }]);
    expect(widened.widensAccess).toBe(true);
    const vs = clone(before);
    const ingress = vs.find((o: any) => o.kind === 'VirtualService' && o.spec.gateways);
    ingress.spec.http = ingress.spec.http.slice(1);
    const narrowed = MeshDiff.between(before, vs);
    expect(narrowed.ingressEgress.map(c => c.change)).toEqual(['removed']);
    expect(narrowed.widensAccess).toBe(false);
  });

  test('egress: a host open to a caller more widens access, one caller fewer does not; registry-only off widens it', () => {
    const consul = shop('consul');
    const intentions = (objects: any[]) => objects.find((o: any) => o.kind === 'ServiceIntentions' && o.metadata.name === 'egress-api-stripe-com');
    const more = clone(consul);
    intentions(more).spec.sources.unshift({ name: 'order', action: 'allow' });
    const wider = MeshDiff.between(consul, more);
    expect(wider.ingressEgress).toEqual([{ what: 'egress', key: 'shop api.stripe.com', change: 'changed', before: '443/tcp from shop/payment', after: '443/tcp from shop/order, shop/payment' }]);
    expect(wider.widensAccess).toBe(true);
    const fewer = MeshDiff.between(more, consul);
    expect(fewer.ingressEgress.map(c => c.change)).toEqual(['changed']);
    expect(fewer.newlyAllowed).toEqual([]);
    expect(fewer.widensAccess).toBe(false);
    const open = clone(before);
    open.find((o: any) => o.kind === 'Sidecar').spec.outboundTrafficPolicy.mode = 'ALLOW_ANY';
    const opened = MeshDiff.between(before, open);
    expect(opened.ingressEgress).toEqual([{ what: 'egressPolicy', key: 'shop', change: 'changed', before: 'REGISTRY_ONLY (Sidecar shop/default)', after: 'ALLOW_ANY (Sidecar shop/default)' }]);
    expect(opened.widensAccess).toBe(true);
    expect(MeshDiff.between(open, before).widensAccess).toBe(false);
  });
});

describe('cdk8s-mesh diff --git', () => {
  test('two revisions of a folder of output in a repository: read with git, the same diff as of the folders', () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-git-'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, stdio: 'pipe' }).toString();
    git('init', '-q');
    const before = shop('consul');
    const after = paymentCallers('consul', before, c => [...c, 'web']);
    fs.mkdirSync(path.join(repo, 'dist', '.hidden'), { recursive: true });
    const dump = (objects: any[]) => objects.map(o => yaml.dump(o, { noRefs: true })).join('---\n');
    fs.writeFileSync(path.join(repo, 'dist', 'shop.yaml'), dump(before));
    // skipped as a folder is read: dot-folders, and what --ignore says
    fs.writeFileSync(path.join(repo, 'dist', '.hidden', 'x.yaml'), 'kind: [');
    fs.writeFileSync(path.join(repo, 'dist', 'tmp.yaml'), 'kind: [');
    fs.writeFileSync(path.join(repo, 'README.md'), 'not yaml');
    git('add', '-A');
    git('commit', '-qm', 'one');
    fs.writeFileSync(path.join(repo, 'dist', 'shop.yaml'), dump(after));
    git('commit', '-qam', 'two');
    expect(readGitRevision('HEAD~1', ['dist'], ['tmp.yaml'], repo)).toHaveLength(before.length);
    expect(MeshDiff.between(readGitRevision('HEAD~1', ['dist'], ['tmp.yaml'], repo), readGitRevision('HEAD', ['dist'], ['tmp.yaml'], repo)).toJson())
      .toEqual(MeshDiff.between(before, after).toJson());
    const cwd = process.cwd();
    try {
      process.chdir(repo);
      const r = run(['diff', '--git', '--ignore', 'tmp.yaml', 'HEAD~1', 'HEAD', 'dist']);
      expect(r.err).toBe('');
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/\+ shop\/web -> shop\/payment POST \/process-payment/);
      expect(run(['diff', '--git', '--ignore', 'tmp.yaml', 'HEAD', 'HEAD', 'dist'])).toEqual({ code: 0, out: 'no difference\n', err: '' });
      const bad = run(['diff', '--git', 'no-such-rev', 'HEAD', 'dist']);
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/cdk8s-mesh: diff --git: .*no-such-rev/);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('cdk8s-mesh graph and diff: usage', () => {
  test('graph writes HTML, Mermaid, DOT or JSON; usage errors exit 2', () => {
    const dir = write(shop('linkerd'));
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-graph-')), 'g.html');
    const r = run(['graph', dir, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/wrote .*g\.html \(4 services, \d+ allowed edges, \d+ denied, mesh linkerd\)/);
    expect(fs.readFileSync(out, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect(run(['graph', '--format', 'mermaid', dir]).out).toMatch(/^flowchart LR/);
    expect(run(['graph', '--format', 'dot', dir]).out).toMatch(/^digraph mesh/);
    expect(JSON.parse(run(['graph', '--format', 'json', dir]).out).mesh).toBe('linkerd');
    expect(run(['graph', '--format', 'svg', dir])).toMatchObject({ code: 2, err: expect.stringMatching(/--format takes html, mermaid, dot or json, got "svg"/) });
    expect(run(['graph'])).toMatchObject({ code: 2, err: expect.stringMatching(/graph needs at least one PATH/) });
    expect(run(['graph', '/no/such/dir'])).toMatchObject({ code: 2, err: 'cdk8s-mesh: no such file or folder: /no/such/dir\n' });
    expect(run(['graph', '--bogus', dir])).toMatchObject({ code: 2, err: expect.stringMatching(/unknown option --bogus/) });
    expect(run(['graph', '--help'])).toMatchObject({ code: 0, out: expect.stringMatching(/graph: the service graph/) });
    expect(run(['diff', dir])).toMatchObject({ code: 2, err: expect.stringMatching(/diff takes two paths \(OLD NEW: files or folders\), got 1/) });
    expect(run(['diff', '--git', 'HEAD'])).toMatchObject({ code: 2, err: expect.stringMatching(/needs two revisions/) });
    expect(run(['diff', '--format', 'html', dir, dir])).toMatchObject({ code: 2, err: expect.stringMatching(/--format takes text, json or markdown/) });
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'kind: [');
    expect(run(['diff', dir, dir])).toMatchObject({ code: 2, err: expect.stringMatching(/cannot read the manifests: .*bad\.yaml/) });
  });
});

describe('cdk8s-mesh diff: mTLS and deny policies weakened widen access though no call of the matrix changes', () => {
  const istio = shop('istio');
  const edit = (objects: any[], fn: (copy: any[]) => any[] | void) => {
    const copy = clone(objects);
    return fn(copy) ?? copy;
  };
  const pa = (o: any) => o.kind === 'PeerAuthentication';
  const jwtDeny = (o: any) => o.kind === 'AuthorizationPolicy' && o.spec.action === 'DENY';

  test.each([
    ['STRICT to PERMISSIVE', (c: any[]) => { c.find(pa).spec.mtls.mode = 'PERMISSIVE'; }, 'changed'],
    ['STRICT to DISABLE on a port only', (c: any[]) => { c.find(pa).spec.portLevelMtls = { 8080: { mode: 'DISABLE' } }; }, 'changed'],
    ['the STRICT PeerAuthentication removed', (c: any[]) => c.filter(o => !pa(o)), 'removed'],
    ['the ingress JWT DENY policy removed', (c: any[]) => c.filter(o => !jwtDeny(o)), 'removed'],
    ['a rule of the DENY policy taken out', (c: any[]) => { c.find(jwtDeny).spec.rules[0].to[0].operation.hosts = ['other.example.com']; }, 'changed'],
  ])('%s: listed under security, exit 1', (_name, fn, change) => {
    const after = edit(istio, fn);
    const diff = MeshDiff.between(istio, after);
    expect(diff.newlyAllowed).toEqual([]);
    expect(diff.security.map(c => c.change)).toEqual([change]);
    expect(diff.widensAccess).toBe(true);
    expect(diff.toMarkdown()).toMatch(/#### mTLS and deny policies weakened \(1\)/);
    expect(run(['diff', write(istio), write(after)]).code).toBe(1);
  });

  test('stricter or unchanged: a DENY rule added, PERMISSIVE to STRICT, only reordered: not listed, exit 0', () => {
    const denyMore = edit(istio, c => { c.find(jwtDeny).spec.rules.push({ to: [{ operation: { paths: ['/admin*'] } }] }); });
    expect(MeshDiff.between(istio, denyMore).security).toEqual([]);
    expect(MeshDiff.between(istio, denyMore).widensAccess).toBe(false);
    const permissive = edit(istio, c => { c.find(pa).spec.mtls.mode = 'PERMISSIVE'; });
    expect(MeshDiff.between(permissive, istio).security).toEqual([]);
    expect(MeshDiff.between(permissive, istio).widensAccess).toBe(false);
    expect(MeshDiff.between(istio, reorder(istio)).security).toEqual([]);
  });

  test('hand-written YAML: a PERMISSIVE PeerAuthentication added for one workload; Consul mutualTLSMode permissive', () => {
    const before = [
      { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'a' }, spec: { mtls: { mode: 'STRICT' } } },
    ];
    const after = [...before, { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'legacy', namespace: 'a' }, spec: { selector: { matchLabels: { app: 'legacy' } }, mtls: { mode: 'PERMISSIVE' } } }];
    expect(MeshDiff.between(before, after).security).toEqual([{ what: 'security.istio.io/PeerAuthentication', key: 'a/legacy', change: 'added', after: 'PERMISSIVE' }]);
    const unset = [...before, { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'inherit', namespace: 'a' }, spec: { selector: { matchLabels: { app: 'x' } } } }];
    expect(MeshDiff.between(before, unset).widensAccess).toBe(false);
    const sd = (mode?: string) => [{ apiVersion: 'consul.hashicorp.com/v1alpha1', kind: 'ServiceDefaults', metadata: { name: 'payment', namespace: 'shop' }, spec: { protocol: 'http', ...(mode ? { mutualTLSMode: mode } : {}) } }];
    const consul = MeshDiff.between(sd(), sd('permissive'));
    expect(consul.security).toEqual([{ what: 'consul.hashicorp.com/ServiceDefaults', key: 'shop/payment', change: 'changed', before: 'mutualTLSMode default', after: 'mutualTLSMode permissive' }]);
    expect(consul.widensAccess).toBe(true);
    expect(MeshDiff.between(sd('permissive'), sd('strict')).widensAccess).toBe(false);
  });
});

describe('cdk8s-mesh diff: Consul Enterprise inferred once for both sides', () => {
  test('a source in another namespace added: the other callers of the services keep their decisions', () => {
    const before = shop('consul');
    const after = clone(before);
    after.find((o: any) => o.kind === 'ServiceIntentions' && o.metadata.name === 'payment').spec.sources.unshift({ name: 'x', namespace: 'other', action: 'allow' });
    // before: one namespace (Community) on one side and namespaces (Enterprise) on the other made every caller of
    // another namespace newly allowed on order, user and the egress service, which the change does not touch
    const diff = MeshDiff.between(before, after);
    expect(diff.newlyAllowed.filter(c => c.service !== 'shop/payment')).toEqual([]);
    expect(diff.newlyDenied).toEqual([]);
    // told Enterprise, the same
    expect(MeshDiff.between(before, after, { consulEnterprise: true }).toJson()).toEqual(diff.toJson());
    // a caller of the namespace given access, where the namespace's deny-all held it: newly allowed
    const wide = clone(before);
    wide.find((o: any) => o.kind === 'ServiceIntentions' && o.metadata.name === 'payment').spec.sources.unshift({ name: 'web', namespace: 'shop', action: 'allow' });
    const widened = MeshDiff.between(before, wide);
    expect([...new Set(widened.newlyAllowed.map(c => `${c.caller} -> ${c.service}`))]).toEqual(['shop/web -> shop/payment']);
    expect(widened.widensAccess).toBe(true);
  });
});

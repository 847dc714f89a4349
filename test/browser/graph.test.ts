/**
 * The graph page in a real browser: Debian's chromium, driven by playwright-core (executablePath; it never
 * downloads a browser). Not part of `npm test` (a machine without chromium passes that): run it with
 * `npx projen test:browser` (CHROMIUM=/path/to/chromium to use another binary). The screenshots go to
 * test-reports/browser/; docs/images/shop-graph.png is a copy of shop-graph.png.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { MeshGraph } from '../../src/graph/model';
import { shop } from '../graph/shop';
import { captureStderr } from '../util';

captureStderr();
jest.setTimeout(120_000);

const OUT = path.join(__dirname, '..', '..', 'test-reports', 'browser');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

let context: BrowserContext;
let page: Page;
/** Every request the pages made that is not a file: or data: URL (the page must make none). */
const network: string[] = [];
const errors: string[] = [];

beforeAll(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
  // the flags that keep Chromium off the network of a closed machine (no background, component or sync traffic)
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1600, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  page = await context.newPage();
  page.on('request', r => { if (!/^(file|data|about):/.test(r.url())) network.push(r.url()); });
  page.on('pageerror', e => errors.push(e.message));
});

afterAll(async () => {
  await context?.close();
});

function writePage(name: string, graph: MeshGraph): string {
  const file = path.join(OUT, `${name}.html`);
  fs.writeFileSync(file, graph.toHtml(`cdk8s-mesh graph: the shop on ${graph.mesh}`));
  return `file://${file}`;
}

const drawn = () => page.evaluate(() => (globalThis as any).meshGraphDrawn as { nodes: number; edges: number; services: number; overview: boolean });
const ids = (selector: string) => page.$$eval(selector, els => els.map(e => e.getAttribute('data-id')!).sort());

describe('the shop graph page in Chromium', () => {
  test.each(['istio', 'linkerd', 'consul', 'istio-ambient'])('%s: nodes, edges, a filter, the denied calls, the details of a service', async folder => {
    const graph = MeshGraph.fromManifests(shop(folder));
    await page.goto(writePage(`shop-${folder}`, graph));
    await page.waitForSelector('#svg g.node');
    // the four services (ambient's and Linkerd's per-version Services are versions of payment, not nodes)
    expect(await ids('#svg g.node[data-kind=service]')).toEqual(['shop/order', 'shop/payment', 'shop/user', 'shop/web']);
    expect(await ids('#svg g.node[data-kind=gateway]')).toEqual(['gateway:shop/shop']);
    expect(await ids('#svg g.node[data-kind=external]')).toEqual(['external:api.stripe.com']);
    const edge = (from: string, to: string, kind: string) => page.$(`#svg path.edge[data-from="${from}"][data-to="${to}"][data-kind=${kind}]`);
    // the zero-trust calls, the ingress routes, no denied call until asked for
    for (const [from, to] of [['shop/web', 'shop/order'], ['shop/order', 'shop/payment'], ['shop/order', 'shop/user'], ['shop/web', 'shop/user']]) {
      expect(await edge(from, to, 'allowed')).not.toBeNull();
    }
    expect(await edge('shop/web', 'shop/payment', 'allowed')).toBeNull();
    expect(await edge('gateway:shop/shop', 'shop/order', 'ingress')).not.toBeNull();
    expect(await edge('gateway:shop/shop', 'shop/web', 'ingress')).not.toBeNull();
    expect(await page.$$('#svg path.edge[data-kind=denied]')).toHaveLength(0);
    const allowedDrawn = (await page.$$('#svg path.edge[data-kind=allowed]')).length;
    const pairs = new Set(graph.allowedEdges().map(e => `${e.callerService?.replace(/-v\d$/, '') ?? e.caller} ${e.service.replace(/-v\d$/, '')}`));
    expect(allowedDrawn).toBe(pairs.size);

    // the denied-by-default calls, on demand: any other workload of shop may call none of the services
    await page.check('#denied');
    expect(await edge('caller:shop/unnamed', 'shop/payment', 'denied')).not.toBeNull();
    await page.uncheck('#denied');

    // a filter: searching payment draws payment and its neighbours only
    await page.fill('#search', 'payment');
    await page.waitForFunction(() => (globalThis as any).meshGraphDrawn.services < 4);
    const filtered = await ids('#svg g.node[data-kind=service]');
    expect(filtered).toContain('shop/payment');
    expect(filtered).toContain('shop/order');
    expect(filtered).not.toContain('shop/web');
    await page.fill('#search', '');
    await page.waitForFunction(() => (globalThis as any).meshGraphDrawn.services === 4);

    // a click on payment: its routes (weights, the test users' header), resilience and callers
    await page.click('#svg g.node[data-id="shop/payment"]');
    const details = await page.textContent('#details');
    expect(details).toMatch(/v1 90%/);
    expect(details).toMatch(/v2 10%/);
    expect(details).toMatch(/x-test-user=true/);
    expect(details).toMatch(/circuitBreaker/);
    expect(details).toMatch(/POST \/process-payment/);
    await page.screenshot({ path: path.join(OUT, `shop-graph-${folder}.png`) });
    if (folder === 'istio') fs.copyFileSync(path.join(OUT, 'shop-graph-istio.png'), path.join(OUT, 'shop-graph.png'));
    expect(network).toEqual([]);
    expect(errors).toEqual([]);
  });

  test('3,000 services in 30 namespaces: an overview of the namespaces, then one drawn on demand', async () => {
    const objects: any[] = [];
    for (let i = 0; i < 3000; i++) {
      const ns = `team-${i % 30}`;
      const name = `svc-${i}`;
      objects.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector: { app: name }, ports: [{ port: 80 }] } });
      objects.push({
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: { name, namespace: ns },
        spec: { selector: { matchLabels: { app: name } }, rules: [{ from: [{ source: { principals: [`cluster.local/ns/${ns}/sa/svc-${i + 30}`] } }] }] },
      });
    }
    await page.goto(writePage('many', MeshGraph.fromManifests(objects)));
    await page.waitForFunction(() => (globalThis as any).meshGraphDrawn !== undefined);
    expect(await drawn()).toMatchObject({ overview: true, nodes: 30 });
    expect(await page.textContent('#notice')).toMatch(/too many to draw at once/);
    await page.click('#svg g.node[data-id="namespace:team-7"]');
    await page.waitForFunction(() => !(globalThis as any).meshGraphDrawn.overview);
    expect((await drawn()).services).toBe(100);
    expect(await page.$$('#svg path.edge[data-kind=allowed]')).toHaveLength(100);
    await page.screenshot({ path: path.join(OUT, 'many-team-7.png') });
    expect(errors).toEqual([]);
  });

  test('1,000 services in one namespace: the first ones drawn with a notice, a search draws the one asked for', async () => {
    const objects: any[] = [];
    for (let i = 0; i < 1000; i++) {
      const name = `svc-${i}`;
      objects.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'big' }, spec: { selector: { app: name }, ports: [{ port: 80 }] } });
      objects.push({
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: { name, namespace: 'big' },
        spec: { selector: { matchLabels: { app: name } }, rules: [{ from: [{ source: { principals: [`cluster.local/ns/big/sa/svc-${(i + 1) % 1000}`] } }] }] },
      });
    }
    await page.goto(writePage('one-namespace', MeshGraph.fromManifests(objects)));
    await page.waitForFunction(() => (globalThis as any).meshGraphDrawn !== undefined);
    expect(await drawn()).toMatchObject({ overview: false, capped: true });
    expect(await page.textContent('#notice')).toMatch(/Drawn: the first 150 of \d+ matching nodes/);
    await page.fill('#search', 'svc-777');
    await page.waitForFunction(() => !(globalThis as any).meshGraphDrawn.capped);
    // svc-777 and what its identity may call (no workloads here: the identities are callers of their own)
    expect(await ids('#svg g.node[data-kind=service]')).toEqual(['big/svc-776', 'big/svc-777']);
    expect(await page.$('#svg path.edge[data-from="caller:big/svc-778"][data-to="big/svc-777"][data-kind=allowed]')).not.toBeNull();
    expect(errors).toEqual([]);
  });
});

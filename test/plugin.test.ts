import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { MeshValidation } from '../src/plugin';

function context(files: string[]) {
  const violations: any[] = [];
  let status: string | undefined;
  return {
    violations,
    status: () => status,
    ctx: { manifests: files, report: { addViolation: (v: any) => violations.push(v), submit: (s: any) => { status = s; } } },
  };
}

function write(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-plugin-'));
  const file = path.join(dir, 'app.k8s.yaml');
  fs.writeFileSync(file, content);
  return file;
}

describe('the cdk8s-cli validation plugin', () => {
  test('reports schema and analyzer errors as violations and fails', async () => {
    const file = write(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: payment, namespace: shop}
spec:
  hosts: [payment]
  http:
  - timeout: 0s
    route: [{destination: {host: payment, subset: v9}}]
`);
    const c = context([file]);
    await new MeshValidation().validate(c.ctx as any);
    expect(c.status()).toBe('failure');
    expect(c.violations.map(v => v.ruleName.split(' ')[0]).sort()).toEqual(['CEL001', 'I101']);
    expect(c.violations.find(v => v.ruleName.startsWith('I101')).violatingResources).toEqual([{ resourceName: 'payment', locations: ['spec.http[0].route[0].destination.subset'], manifestPath: file }]);
  });

  test('succeeds on clean manifests; warnings fail only with failOn: warning', async () => {
    const file = write(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: payment, namespace: shop}
spec: {host: payment, subsets: [{name: v1}]}
`);
    const lenient = context([file]);
    await new MeshValidation().validate(lenient.ctx as any);
    expect(lenient.status()).toBe('success');
    const strict = context([file]);
    await new MeshValidation({ failOn: 'warning' }).validate(strict.ctx as any);
    expect(strict.status()).toBe('failure');
    expect(strict.violations[0].ruleName).toMatch(/^I110/);
  });
});

/** cdk8s-cli's own plugin loader and report (its package exports no subpaths). */
const CLI = path.join(__dirname, '..', 'node_modules', 'cdk8s-cli');

describe('the plugin as cdk8s-cli loads it by package name (issue 19 item 5)', () => {
  // cdk8s-cli installs `package: cdk8s-mesh` into <plugins>/cdk8s-mesh/<version>/node_modules/cdk8s-mesh and
  // requires the package's main; here the "installed" package's main is the library's index
  function installed(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-plugins-'));
    const pkg = path.join(dir, 'cdk8s-mesh', '1.2.3', 'node_modules', 'cdk8s-mesh');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'cdk8s-mesh', version: '1.2.3', main: 'index.js' }));
    fs.writeFileSync(path.join(pkg, 'index.js'), `module.exports = require(${JSON.stringify(path.join(__dirname, '..', 'src', 'index'))});\n`);
    return dir;
  }

  function synthesizedApp() {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-app-'));
    const app = new App({ outdir, recordConstructMetadata: true });
    const chart = new Chart(app, 'shop', { namespace: 'shop', disableResourceNameHashes: true });
    new ApiObject(chart, 'payment-route', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'payment' },
      spec: { hosts: ['payment'], http: [{ route: [{ destination: { host: 'payment', subset: 'v9' } }] }] },
    } as any);
    app.synth();
    return { manifests: fs.readdirSync(outdir).filter(f => f.endsWith('.k8s.yaml')).map(f => path.join(outdir, f)), constructMetadata: path.join(outdir, 'construct-metadata.json') };
  }

  test('validations: [{package: cdk8s-mesh, class: MeshValidation}] loads from the package main; violations show the construct path and a URL', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PluginManager } = require(path.join(CLI, 'lib', 'plugins', '_manager.js'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ValidationPlugin } = require(path.join(CLI, 'lib', 'plugins', 'validation.js'));
    const { plugin, context: pluginContext } = ValidationPlugin.load({ package: 'cdk8s-mesh', version: '1.2.3', class: 'MeshValidation', properties: { failOn: 'error' } },
      synthesizedApp(), false, new PluginManager(installed()));
    await plugin.validate(pluginContext);
    const report = pluginContext.report.toString();
    expect(pluginContext.report.success).toBe(false);
    expect(report).toContain('I101');
    expect(report).toContain('Construct Path: shop/payment-route');
    expect(report).not.toContain('N/A');
    expect(report).toContain('How to fix: https://github.com/cdk8s-mesh/cdk8s-mesh/blob/main/docs/findings.md#i101');
    expect(report).not.toMatch(/see docs\//);
  });

  test('the class is exported from the package main, and a bad failOn is refused by name', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require('../src').MeshValidation).toBe(MeshValidation);
    expect(() => new MeshValidation({ failOn: 'warn' })).toThrow('cdk8s-mesh MeshValidation: properties.failOn: got "warn": not a severity; use error (the default) or warning');
  });
});

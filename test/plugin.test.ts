import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
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
    expect(c.violations.find(v => v.ruleName.startsWith('I101')).violatingResources).toEqual([{ resourceName: 'VirtualService shop/payment', locations: ['spec.http[0].route[0].destination.subset'], manifestPath: file }]);
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

import { ReachabilityMatrix } from '../../src';
import { InvalidManifestsError } from '../../src/analysis/private/yaml';
import { main } from '../../src/cli/main';

const SERVICE = `apiVersion: v1
kind: Service
metadata: {name: payment, namespace: shop}
spec: {selector: {app: payment}, ports: [{port: 8080}]}
`;
const policy = (rules: string) => `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: payment-allow, namespace: shop}
spec:
  selector: {matchLabels: {app: payment}}
  action: ALLOW
  rules: ${rules}
`;
const query = { caller: 'shop/order', service: 'shop/payment' };

describe('reachability on manifests whose fields are not of their type', () => {
  test('a rules field that is a string: an error naming the object, the field and what it got, not a TypeError', () => {
    const matrix = ReachabilityMatrix.fromYaml(SERVICE + policy('"x"'), { defaultNamespace: 'shop' });
    let error: unknown;
    try {
      matrix.check(query);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidManifestsError);
    expect(error).not.toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain('AuthorizationPolicy shop/payment-allow spec.rules: must be of type array, got string "x"');
    // the streamed table and the summary say the same
    expect(() => [...matrix._tableLines()]).toThrow(InvalidManifestsError);
    expect(() => [...matrix._summary()]).toThrow(InvalidManifestsError);
  });

  test('the same policy with its rules as a list is read and decided', () => {
    const matrix = ReachabilityMatrix.fromYaml(SERVICE + policy('[{from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]}]'), { defaultNamespace: 'shop' });
    expect(matrix.check(query).allowed).toBe(true);
    expect(matrix.check({ caller: 'shop/web', service: 'shop/payment' }).allowed).toBe(false);
  });

  test('the CLI says which object is wrong and exits 2, with no internal error or stack trace', () => {
    let err = '';
    const code = main(['reachability', '--namespace', 'shop', '-'], { stdout: () => undefined, stderr: s => { err += s; }, stdin: () => SERVICE + policy('"x"') });
    expect(code).toBe(2);
    expect(err).toContain('AuthorizationPolicy shop/payment-allow spec.rules: must be of type array');
    expect(err).not.toMatch(/internal error|TypeError|at .*\.js:\d+/);
  });
});

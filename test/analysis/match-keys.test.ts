/**
 * I104 and I105 compare HTTP matches by a canonical form (keys sorted at every level, the name left out). Issue 26
 * writes the form of a value whose keys are already in order with JSON.stringify: matches that differ only in the
 * order of their keys, at any level (integer-like keys included, which objects keep in numeric order), are still one
 * match; matches that differ in a value are not.
 */
import { MeshAnalyzer } from '../../src';

const VS = (first: string, second: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: payment, namespace: shop}
spec:
  hosts: [payment]
  http:
  - name: first
    match: [${first}]
    route: [{destination: {host: payment}}]
  - name: second
    match: [${second}]
    route: [{destination: {host: payment}}]
  - route: [{destination: {host: payment}}]
`;
const codes = (first: string, second: string) => MeshAnalyzer.analyzeYaml(VS(first, second)).findings.filter(f => f.code === 'I104').map(f => f.path);

describe('I104: a rule whose every match repeats an earlier one', () => {
  test.each([
    ['the same keys in another order', '{uri: {prefix: /a}, method: {exact: GET}}', '{method: {exact: GET}, uri: {prefix: /a}}'],
    ['nested keys in another order', '{headers: {x-b: {exact: "1"}, x-a: {exact: "2"}}}', '{headers: {x-a: {exact: "2"}, x-b: {exact: "1"}}}'],
    ['integer-like keys in another order', '{headers: {"10": {exact: a}, "2": {exact: b}}}', '{headers: {"2": {exact: b}, "10": {exact: a}}}'],
    ['another name', '{name: one, uri: {prefix: /a}}', '{uri: {prefix: /a}, name: two}'],
    ['a name on one only', '{name: one, method: {exact: GET}}', '{method: {exact: GET}}'],
    ['a name on one only, with a URI', '{uri: {prefix: /a}}', '{uri: {prefix: /a}, name: two}'],
  ])('%s: the same match, the second rule is never reached', (_what, first, second) => {
    expect(codes(first, second)).toEqual(['spec.http[1]']);
  });

  test.each([
    ['another value', '{uri: {prefix: /a}, method: {exact: GET}}', '{method: {exact: POST}, uri: {prefix: /a}}'],
    ['a nested value under another key', '{headers: {x-b: {exact: "1"}, x-a: {exact: "2"}}}', '{headers: {x-a: {exact: "1"}, x-b: {exact: "2"}}}'],
    ['a list in another order', '{queryParams: {a: {exact: "1"}}, sourceLabels: {app: a, tier: b}, gateways: [x, y]}', '{gateways: [y, x], sourceLabels: {tier: b, app: a}, queryParams: {a: {exact: "1"}}}'],
  ])('%s: another match, both rules are reached', (_what, first, second) => {
    expect(codes(first, second)).toEqual([]);
  });
});

describe('I105: a match that repeats an earlier one of another rule', () => {
  const repeats = (first: string, second: string) => MeshAnalyzer.analyzeYaml(VS(first, second)).findings.filter(f => f.code === 'I105').map(f => f.path);
  test.each([
    ['a name on the earlier one only', '{name: one, headers: {x-a: {exact: "1"}}}', '{headers: {x-a: {exact: "1"}}}, {method: {exact: GET}}'],
    ['a name on the later one only', '{headers: {x-a: {exact: "1"}}}', '{method: {exact: GET}}, {name: two, headers: {x-a: {exact: "1"}}}'],
  ])('%s: the same match', (_what, first, second) => {
    expect(repeats(first, second)).toHaveLength(1);
  });

  test('another value: no finding', () => {
    expect(repeats('{headers: {x-a: {exact: "1"}}}', '{headers: {x-a: {exact: "2"}}}, {method: {exact: GET}}')).toEqual([]);
  });
});

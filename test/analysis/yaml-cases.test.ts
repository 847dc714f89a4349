import { loadYamlCases, ourCaseVerdict } from '../../conformance/yaml-cases';

// The hand-written YAML cases (conformance/yaml-cases): how kubectl and the API server READ YAML (YAML 1.1 scalars,
// keys as sigs.k8s.io/yaml writes them, `<<` merges as go-yaml v2, null and uint64 keys refused, null label and
// annotation values). `npm run conformance` checks each recorded verdict against the API server's code (crdcheck,
// k8s.io/apiextensions-apiserver with sigs.k8s.io/yaml); here, without Go, our validator must give the same verdict.
const CASES = loadYamlCases();

describe('the hand-written YAML cases', () => {
  test('at least 40 cases, each reading rule on both sides', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    const by = (prefix: string, verdict: string) => CASES.filter(c => c.name.startsWith(prefix) && c.expect === verdict).length;
    for (const prefix of ['scalar-', 'key-', 'merge-', 'meta-', 'dup-key-', 'tag-']) {
      expect([prefix, by(prefix, 'accept') > 0, by(prefix, 'reject') + by(prefix, 'refuse-file') > 0]).toEqual([prefix, true, true]);
    }
    expect(CASES.filter(c => c.expect === 'refuse-file').length).toBeGreaterThanOrEqual(4);
  });

  test.each(CASES.map(c => [c.name, c] as const))('%s', (_name, c) => {
    const ours = ourCaseVerdict(c.file);
    expect({ case: c.what, verdict: ours.verdict, ...(ours.verdict === c.expect ? {} : { why: ours.why }) }).toEqual({ case: c.what, verdict: c.expect });
  });
});

import { loadCorpus, ourIstioCodes } from '../../conformance/differential';
import { OURS_ONLY } from '../../conformance/exceptions';
import { MeshAnalyzer } from '../../src';

// The hand-written Istio corpus (conformance/istio-corpus, issue 18 item 5): each case records the IST codes that
// istioctl analyze --use-kube=false reports on it (npm run conformance checks that istioctl still does), and where
// ours differ for a documented reason, the codes we report. Here, without Go: our analyzer and validator must report
// exactly those codes on each case, so that a rule that stops finding a mistake (or starts firing on a clean case) fails.
const CORPUS = loadCorpus();

describe('the Istio corpus', () => {
  test('at least 60 cases, mistakes of every area istioctl analyzes offline, and clean cases', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
    const prefixes = new Set(CORPUS.map(c => c.name.split('-')[0]));
    expect([...prefixes].sort()).toEqual(['ap', 'dr', 'ef', 'gw', 'pa', 'ra', 'sc', 'se', 'tm', 'vs']);
    expect(CORPUS.filter(c => !c.istioctl.length).length).toBeGreaterThanOrEqual(15);
  });

  test.each(CORPUS.map(c => [c.name, c] as const))('%s', (_name, c) => {
    const ours = [...new Set(ourIstioCodes([c.text]).map(o => o.code))].sort();
    expect(ours).toEqual([...new Set(c.analyzer)].sort());
  });

  test('every error rule of ours that reports a code istioctl does not on a case has its reason in OURS_ONLY', () => {
    for (const c of CORPUS) {
      for (const o of ourIstioCodes([c.text])) {
        if (!c.istioctl.includes(o.code) && o.severity === 'error' && /^I/.test(o.rule)) expect([c.name, o.rule, OURS_ONLY[o.rule] !== undefined]).toEqual([c.name, o.rule, true]);
      }
    }
  });

  test('the clean cases lint clean', () => {
    for (const c of CORPUS.filter(x => /clean/.test(x.name))) {
      expect([c.name, MeshAnalyzer.analyzeYaml(c.text).findings.map(f => `${f.code} ${f.message}`)]).toEqual([c.name, []]);
    }
  });
});

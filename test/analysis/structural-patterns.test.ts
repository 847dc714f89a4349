import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import { ManifestValidator } from '../../src';
import { nativePattern } from '../../src/analysis/private/cel-native';
import { pinnedSchemaFiles, re2Aware } from '../../src/analysis/private/structural';

// A CRD's `pattern` is a Go (RE2) regular expression. It runs as a JavaScript RegExp only when it is of the plain
// subset both engines decide alike (nativePattern, shared with CEL's matches()); the others run on RE2, loaded
// when a first value reaches one of them: @bufbuild/re2 is not loaded for a kind whose objects never set such a field.

const SCHEMAS = path.join(__dirname, '..', '..', 'schemas');

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { RE2JS } = require('@bufbuild/re2') as typeof import('@bufbuild/re2');

function pinnedPatterns(): string[] {
  const patterns = new Set<string>();
  const walk = (x: any) => {
    if (!x || typeof x !== 'object') return;
    if (typeof x.pattern === 'string') patterns.add(x.pattern);
    for (const v of Object.values(x)) walk(v);
  };
  for (const file of Object.values(pinnedSchemaFiles())) walk(JSON.parse(fs.readFileSync(path.join(SCHEMAS, file), 'utf8')).schema);
  return [...patterns].sort();
}

describe('schema patterns: JavaScript for the plain subset, RE2 for the rest', () => {
  test('every pinned pattern compiles in RE2; those outside the plain subset (run on RE2) are these', () => {
    const patterns = pinnedPatterns();
    expect(patterns.length).toBeGreaterThan(15);
    for (const p of patterns) expect(() => RE2JS.compile(p)).not.toThrow();
    // `(?i)` (JavaScript cannot compile it) and `.` (JavaScript's does not match \r, U+2028 or U+2029; Go's does)
    expect(patterns.filter(p => !nativePattern(p))).toEqual([
      '^(?i)(abort|warn)?$',
      '^(http|https)://.+$',
      '^(http|https|socks5)://.+$',
    ]);
  });

  test('every pinned pattern taken by JavaScript decides as RE2, on generated texts and texts near its matches', () => {
    const tricky = ['\n', '\r', '\u2028', '\u2029', 'é', 'K', '😀', '\ud800', '`', ' ', '\u0000', 'A', 'a', '0', '.', '-', '/'];
    const taken = pinnedPatterns().filter(p => nativePattern(p));
    expect(taken.length).toBeGreaterThan(15);
    for (const p of taken) {
      const js = re2Aware(p, 'u');
      const re2 = RE2JS.compile(p);
      // the pattern's own characters and the ones engines read differently
      const alphabet = [...new Set([...p, ...tricky])];
      const random = fc.array(fc.constantFrom(...alphabet), { maxLength: 16 }).map(a => a.join(''));
      // a text the pattern matches, then one character inserted, replaced or removed
      const near = fc.tuple(fc.stringMatching(new RegExp(p, 'u'), { size: 'small' }), fc.nat(), fc.constantFrom(...alphabet), fc.constantFrom('insert', 'replace', 'remove', 'keep'))
        .map(([s, at, ch, how]) => {
          const i = s.length ? at % (s.length + 1) : 0;
          return how === 'insert' ? s.slice(0, i) + ch + s.slice(i) : how === 'replace' ? s.slice(0, i) + ch + s.slice(i + 1) : how === 'remove' ? s.slice(0, i) + s.slice(i + 1) : s;
        });
      let matched = 0;
      fc.assert(fc.property(fc.oneof(random, near), s => {
        const want = re2.test(s);
        if (want) matched++;
        expect([p, s, js.test(s)]).toEqual([p, s, want]);
      }), { numRuns: 400, seed: 42 });
      expect([p, matched > 20]).toEqual([p, true]); // both sides of each pattern tried
    }
  });

  test('RE2 is loaded when a value reaches a pattern it runs, not when the validator is made; the outcome is RE2\'s', () => {
    jest.isolateModules(() => {
      const loads: number[] = [];
      jest.doMock('@bufbuild/re2', () => {
        loads.push(1);
        return jest.requireActual('@bufbuild/re2');
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { re2Aware: aware } = require('../../src/analysis/private/structural') as typeof import('../../src/analysis/private/structural');
      const plain = aware('^a$', 'u');
      const caseless = aware('^(?i)(abort|warn)?$', 'u');
      const dot = aware('^(http|https)://.+$', 'u');
      expect([plain.test('a'), plain.test('a\n')]).toEqual([true, false]);
      // written as a RegExp is (ajv keeps one compiled pattern per text: two patterns must not share one)
      expect([String(plain), String(caseless)]).toEqual(['/^a$/u', '/^(?i)(abort|warn)?$/u']);
      expect(loads).toHaveLength(0);
      expect(['ABORT', 'Warn', '', 'abortx', 'x'].map(s => caseless.test(s))).toEqual([true, true, true, false, false]);
      expect(loads).toHaveLength(1);
      // Go's `.` takes \r, U+2028 and U+2029 (not \n); JavaScript's takes none of them
      expect(['http://a\rb', 'http://a\u2028', 'http://\u2029', 'http://a\nb', 'http://', 'http://😀'].map(s => dot.test(s))).toEqual([true, true, true, false, false, true]);
    });
  });

  const rule = (groups: any[]) => ({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'r', namespace: 'n' },
    spec: { groups },
  });

  test('PrometheusRule: without partial_response_strategy, and with a good and a bad one', () => {
    const group = { name: 'g', rules: [{ alert: 'A', expr: 'up == 0' }] };
    expect(ManifestValidator.validateObjects([rule([group])]).valid).toBe(true);
    expect(ManifestValidator.validateObjects([rule([{ ...group, partial_response_strategy: 'WARN' }])]).valid).toBe(true);
    const bad = ManifestValidator.validateObjects([rule([{ ...group, partial_response_strategy: 'ignore' }])]);
    expect(bad.findings.map(f => [f.code, f.path])).toEqual([[expect.any(String), 'spec.groups[0].partial_response_strategy']]);
    expect(bad.findings[0].message).toContain('^(?i)(abort|warn)?$');
  });

  test('PodMonitor proxyUrl (`^(http|https|socks5)://.+$`): a \\r or U+2028 in the URL passes as in Go, a \\n does not', () => {
    const yaml = (url: string) => [
      'apiVersion: monitoring.coreos.com/v1',
      'kind: PodMonitor',
      'metadata: {name: m, namespace: ns}',
      'spec:',
      '  selector: {matchLabels: {app: a}}',
      '  podMetricsEndpoints:',
      `  - {port: http, proxyUrl: ${JSON.stringify(url)}}`,
      '',
    ].join('\n');
    const codes = (url: string) => ManifestValidator.validateYaml(yaml(url)).findings.map(f => [f.code, f.path]);
    expect(codes('http://proxy\r.example')).toEqual([]);
    expect(codes('http://proxy\u2028')).toEqual([]);
    expect(codes('socks5://p')).toEqual([]);
    expect(codes('http://proxy\n.example')).toEqual([['SCH005', 'spec.podMetricsEndpoints[0].proxyUrl']]);
    expect(codes('http://')).toEqual([['SCH005', 'spec.podMetricsEndpoints[0].proxyUrl']]);
    expect(codes('ftp://p')).toEqual([['SCH005', 'spec.podMetricsEndpoints[0].proxyUrl']]);
  });

  test('HTTPRoute header names (`\\x60`) and timeouts (a count on a group) run as JavaScript, both sides', () => {
    const route = (header: string, timeout: string) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r', namespace: 'n' },
      spec: { rules: [{ matches: [{ headers: [{ name: header, value: 'v' }] }], timeouts: { request: timeout } }] },
    });
    const codes = (header: string, timeout: string) => ManifestValidator.validateObjects([route(header, timeout)]).findings.map(f => [f.code, f.path]);
    expect(codes('x-`canary`', '1h30m10s500ms')).toEqual([]);
    expect(codes('x canary', '1h1m1s1ms1h')).toEqual([
      ['SCH005', 'spec.rules[0].matches[0].headers[0].name'],
      ['SCH005', 'spec.rules[0].timeouts.request'],
    ]);
  });

  test('a text that overflows the JavaScript engine\'s stack goes to RE2 instead of throwing (both sides)', () => {
    const route = (hostname: string) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r', namespace: 'n' },
      spec: { hostnames: [hostname] },
    });
    const codes = (hostname: string) => ManifestValidator.validateObjects([route(hostname)]).findings.map(f => [f.code, f.path]);
    const long = 'a.'.repeat(2_200_000);
    const p = '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
    expect(() => nativePattern(p)!.test(`${long}a!`)).toThrow(RangeError);
    expect(codes(`${long}a!`)).toEqual([['SCH008', 'spec.hostnames[0]'], ['SCH005', 'spec.hostnames[0]']]);
    expect(codes(`${long}a`)).toEqual([['SCH008', 'spec.hostnames[0]']]);
  });
});

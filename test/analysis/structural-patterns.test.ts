import * as fs from 'fs';
import * as path from 'path';
import { ManifestValidator } from '../../src';
import { pinnedSchemaFiles } from '../../src/analysis/private/structural';

// CRD patterns that JavaScript cannot compile (PrometheusRule's `^(?i)(abort|warn)?$`) run on RE2, compiled
// when a first value reaches them: @bufbuild/re2 is not loaded for a kind whose objects never set such a field.

const SCHEMAS = path.join(__dirname, '..', '..', 'schemas');

describe('patterns JavaScript cannot compile run on RE2, compiled when first used', () => {
  test('every pinned pattern compiles in JavaScript or in RE2 (so compiling later cannot fail where it did not before)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { RE2JS } = require('@bufbuild/re2') as typeof import('@bufbuild/re2');
    const patterns = new Set<string>();
    const walk = (x: any) => {
      if (!x || typeof x !== 'object') return;
      if (typeof x.pattern === 'string') patterns.add(x.pattern);
      for (const v of Object.values(x)) walk(v);
    };
    for (const file of Object.values(pinnedSchemaFiles())) walk(JSON.parse(fs.readFileSync(path.join(SCHEMAS, file), 'utf8')).schema);
    const re2Only: string[] = [];
    for (const p of patterns) {
      try {
        new RegExp(p, 'u');
      } catch {
        expect(() => RE2JS.compile(p)).not.toThrow();
        re2Only.push(p);
      }
    }
    expect(re2Only).toEqual(['^(?i)(abort|warn)?$']);
  });

  test('RE2 is loaded when a value reaches such a pattern, not when the validator is made; the outcome is RE2\'s', () => {
    jest.isolateModules(() => {
      const loads: number[] = [];
      jest.doMock('@bufbuild/re2', () => {
        loads.push(1);
        return jest.requireActual('@bufbuild/re2');
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { re2Aware } = require('../../src/analysis/private/structural') as typeof import('../../src/analysis/private/structural');
      const re = re2Aware('^(?i)(abort|warn)?$', 'u');
      expect(loads).toHaveLength(0);
      expect(['ABORT', 'Warn', '', 'abortx', 'x'].map(s => re.test(s))).toEqual([true, true, true, false, false]);
      expect(loads).toHaveLength(1);
      expect(re2Aware('^a$', 'u')).toBeInstanceOf(RegExp);
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
});

import * as fc from 'fast-check';
import { evaluateRules, ruleTree, CelIssue } from '../../src/analysis/private/cel';

// evaluateRules builds the path of a finding only when it reports one (a chain of links on the way down, not a
// list copied at every step): the paths must be those of the values the rules fail on, in the walk's order
// (list items in order, holes skipped, map keys in insertion order), after the starting path. A link that
// drops a level, repeats one, or a starting path put at the end, fails this.
describe('CEL findings carry the path of the value', () => {
  const leaf = { 'type': 'string', 'x-kubernetes-validations': [{ rule: "self != 'bad'", message: 'not bad' }] };
  const schema = {
    type: 'object',
    properties: {
      list: { type: 'array', items: { type: 'object', properties: { m: { type: 'object', additionalProperties: leaf }, s: leaf, l: { type: 'array', items: leaf } } } },
      s: leaf,
    },
  };
  const tree = ruleTree(schema);

  const str = fc.constantFrom('bad', 'good', 'x');
  const item = fc.record({
    m: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'k.d', '0'), str, { maxKeys: 3 }),
    s: str,
    l: fc.array(str, { maxLength: 3 }),
  }, { requiredKeys: [] });
  const value = fc.record({ list: fc.array(fc.option(item, { nil: undefined }), { maxLength: 4 }), s: str }, { requiredKeys: [] })
    .chain(v => fc.nat(5).map(hole => {
      // a hole in the list (deleted index): skipped, as Array.prototype.forEach skips it
      if (Array.isArray(v.list) && hole < v.list.length) delete v.list[hole];
      return v;
    }));

  function expected(v: any, start: (string | number)[]): (string | number)[][] {
    const out: (string | number)[][] = [];
    for (const k of Object.keys(v)) {
      if (k === 's' && v.s === 'bad') out.push([...start, 's']);
      if (k !== 'list') continue;
      v.list.forEach((it: any, i: number) => {
        if (!it) return;
        for (const f of Object.keys(it)) {
          if (f === 'm') for (const mk of Object.keys(it.m)) if (it.m[mk] === 'bad') out.push([...start, 'list', i, 'm', mk]);
          if (f === 's' && it.s === 'bad') out.push([...start, 'list', i, 's']);
          if (f === 'l') it.l.forEach((x: string, j: number) => x === 'bad' && out.push([...start, 'list', i, 'l', j]));
        }
      });
    }
    return out;
  }

  test('on generated values, with and without a starting path', () => {
    fc.assert(fc.property(value, fc.constantFrom<(string | number)[]>([], ['items', 3], ['spec']), (v, start) => {
      const out: CelIssue[] = [];
      evaluateRules(v, tree, start, out);
      expect(out.map(i => i.path)).toEqual(expected(v, start));
      expect(out.every(i => i.message === 'not bad (got "bad")')).toBe(true);
    }), { numRuns: 500 });
  });
});

// The walk visits a map's keys in insertion order: a key declared in `properties` without rules below is not
// given to `additionalProperties`' rules, the others are; a node with rules and nothing below is not walked into.
// A walk that gave declared keys to additionalProperties, or stopped visiting keys after a rule-only node, fails this.
describe('CEL walk of a map with declared properties and additionalProperties', () => {
  const leaf = { 'type': 'string', 'x-kubernetes-validations': [{ rule: "self != 'bad'", message: 'not bad' }] };
  const schema = {
    type: 'object',
    properties: {
      m: {
        'type': 'object',
        'properties': { declared: { type: 'string' } },
        'additionalProperties': leaf,
        'x-kubernetes-validations': [{ rule: "!has(self.stop) || self.stop != 'bad'", message: 'no bad stop' }],
      },
      r: { 'type': 'object', 'x-kubernetes-validations': [{ rule: "!has(self.x) || self.x != 'bad'", message: 'no bad x' }] },
    },
  };
  const tree = ruleTree(schema);
  const keys = fc.constantFrom('declared', 'a', 'b', 'stop', 'x');
  const str = fc.constantFrom('bad', 'good');

  test('on generated values', () => {
    fc.assert(fc.property(fc.dictionary(keys, str, { maxKeys: 5 }), fc.dictionary(keys, str, { maxKeys: 5 }), (m, r) => {
      const out: CelIssue[] = [];
      evaluateRules({ m, r }, tree, [], out);
      const want: [(string | number)[], string][] = [];
      if (m.stop === 'bad') want.push([['m'], 'no bad stop']);
      for (const k of Object.keys(m)) if (k !== 'declared' && m[k] === 'bad') want.push([['m', k], 'not bad (got "bad")']);
      if (r.x === 'bad') want.push([['r'], 'no bad x']);
      expect(out.map(i => [i.path, i.message])).toEqual(want);
    }), { numRuns: 300 });
  });
});

import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as fc from 'fast-check';
import { appObjectsOfKinds, inTreeOrder } from '../../src/private/tree-index';

const KINDS = ['Namespace', 'Deployment', 'Service'];

/** What a walk of the app finds: the reference appObjectsOfKinds must give (as a set). */
function walked(scope: IConstruct, kinds: string[]): ApiObject[] {
  return scope.node.root.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && kinds.includes(c.kind));
}

function sameSet(a: IConstruct[], b: IConstruct[]): boolean {
  return a.length === b.length && new Set(a).size === a.length && a.every(x => b.includes(x));
}

type Step =
  | { op: 'construct'; under: number }
  | { op: 'object'; under: number; kind: number }
  | { op: 'chart' }
  | { op: 'remove'; which: number }
  | { op: 'lookup'; kinds: number[] };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('construct' as const), under: fc.nat() }),
  fc.record({ op: fc.constant('object' as const), under: fc.nat(), kind: fc.nat({ max: KINDS.length - 1 }) }),
  fc.record({ op: fc.constant('chart' as const) }),
  fc.record({ op: fc.constant('remove' as const), which: fc.nat() }),
  fc.record({ op: fc.constant('lookup' as const), kinds: fc.uniqueArray(fc.nat({ max: KINDS.length - 1 }), { minLength: 1 }) }),
);

describe('appObjectsOfKinds (the app\'s objects without a walk per lookup)', () => {
  test('finds what a walk finds, however constructs are added and removed between lookups', () => {
    fc.assert(fc.property(fc.array(step, { maxLength: 60 }), steps => {
      const app = Testing.app();
      const charts: Chart[] = [new Chart(app, 'c0')];
      // the constructs a construct or an object may go under (objects are leaves here, as cdk8s' L1s are)
      const scopes: Construct[] = [charts[0]];
      let id = 0;
      for (const s of steps) {
        if (s.op === 'chart') {
          const chart = new Chart(app, `c${++id}`);
          charts.push(chart);
          scopes.push(chart);
        } else if (s.op === 'construct') {
          scopes.push(new Construct(scopes[s.under % scopes.length], `x${++id}`));
        } else if (s.op === 'object') {
          new ApiObject(scopes[s.under % scopes.length], `o${++id}`, { apiVersion: 'v1', kind: KINDS[s.kind], metadata: { name: `o${id}` } });
        } else if (s.op === 'remove') {
          const scope = scopes[s.which % scopes.length];
          const children = scope.node.children;
          if (children.length) scope.node.tryRemoveChild(children[children.length - 1].node.id);
        } else {
          const kinds = s.kinds.map(k => KINDS[k]);
          const got = appObjectsOfKinds(charts[0], kinds);
          if (!sameSet(got, walked(app, kinds))) return false;
        }
      }
      return sameSet(appObjectsOfKinds(charts[0], KINDS), walked(app, KINDS));
    }), { numRuns: 1000 });
  });

  test('an object added after the first lookup is found by the next (both sides: before it is added, it is not)', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'chart');
    const first = new ApiObject(chart, 'first', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'first' } });
    expect(appObjectsOfKinds(chart, ['Namespace'])).toEqual([first]);
    const deep = new Construct(new Construct(new Chart(app, 'other'), 'a'), 'b');
    expect(appObjectsOfKinds(chart, ['Namespace'])).toEqual([first]);
    const later = new ApiObject(deep, 'later', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'later' } });
    expect(appObjectsOfKinds(chart, ['Namespace'])).toEqual([first, later]);
    expect(appObjectsOfKinds(chart, ['Deployment'])).toEqual([]);
  });

  test('a removed object is not found after its removal', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'chart');
    const group = new Construct(chart, 'group');
    new ApiObject(group, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
    expect(appObjectsOfKinds(chart, ['Namespace'])).toHaveLength(1);
    chart.node.tryRemoveChild('group');
    expect(appObjectsOfKinds(chart, ['Namespace'])).toEqual([]);
  });

  test('a kind asked for twice gives its objects once', () => {
    const chart = new Chart(Testing.app(), 'chart');
    const ns = new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
    expect(appObjectsOfKinds(chart, ['Namespace', 'Namespace'])).toEqual([ns]);
  });

  test('a removal keeps the record: the lookups after it do not walk the app (a walk of the removed subtree only)', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'chart');
    const keep = new ApiObject(chart, 'keep', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'keep' } });
    new ApiObject(new Construct(chart, 'group'), 'gone', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gone' } });
    expect(appObjectsOfKinds(chart, ['Namespace'])).toHaveLength(2);
    const walks = jest.spyOn(app.node, 'findAll');
    chart.node.tryRemoveChild('group');
    const later = new ApiObject(chart, 'later', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'later' } });
    expect(appObjectsOfKinds(chart, ['Namespace'])).toEqual([keep, later]);
    expect(walks).not.toHaveBeenCalled();
  });

  test('apps are apart: one app\'s objects are never another\'s', () => {
    const a = new Chart(Testing.app(), 'a');
    const b = new Chart(new App(), 'b');
    const inA = new ApiObject(a, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
    expect(appObjectsOfKinds(a, ['Namespace'])).toEqual([inA]);
    expect(appObjectsOfKinds(b, ['Namespace'])).toEqual([]);
    const inB = new ApiObject(b, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
    expect(appObjectsOfKinds(b, ['Namespace'])).toEqual([inB]);
    expect(appObjectsOfKinds(a, ['Namespace'])).toEqual([inA]);
  });

  test('a construct of another copy of the constructs package: what is added under it is found (by a walk)', () => {
    let Other: typeof Construct = Construct;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      Other = require('constructs').Construct;
    });
    expect(Other).not.toBe(Construct);
    const app = Testing.app();
    const chart = new Chart(app, 'chart');
    expect(appObjectsOfKinds(chart, ['Namespace'])).toEqual([]);
    const foreign = new Other(chart, 'foreign');
    // added by the other copy's Node.addChild, which records nothing
    const under = new ApiObject(foreign, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
    expect(appObjectsOfKinds(chart, ['Namespace'])).toEqual([under]);
    const more = new ApiObject(new Other(foreign, 'deeper'), 'ns2', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns2' } });
    expect(appObjectsOfKinds(chart, ['Namespace'])).toEqual([under, more]);
  });

  test('inTreeOrder puts two or more constructs in the order of a walk, whatever the order given', () => {
    const app = Testing.app();
    const second = new Chart(app, 'a');
    const first = new ApiObject(second, 'x', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } });
    const third = new ApiObject(new Chart(app, 'b'), 'y', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'y' } });
    expect(inTreeOrder(app, [third, first])).toEqual([first, third]);
    expect(inTreeOrder(app, [third])).toEqual([third]);
  });
});

test('a second copy of this module (a second copy of the library) records the same app too', () => {
  let other: typeof import('../../src/private/tree-index') | undefined;
  // the same constructs and cdk8s modules (one copy of each, as npm installs them), another copy of this module
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mockConstructs = require('constructs');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mockCdk8s = require('cdk8s');
  jest.isolateModules(() => {
    jest.doMock('constructs', () => mockConstructs);
    jest.doMock('cdk8s', () => mockCdk8s);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    other = require('../../src/private/tree-index');
  });
  expect(other!.appObjectsOfKinds).not.toBe(appObjectsOfKinds);
  const chart = new Chart(Testing.app(), 'chart');
  expect(other!.appObjectsOfKinds(chart, ['Namespace'])).toEqual([]);
  expect(appObjectsOfKinds(chart, ['Namespace'])).toEqual([]);
  const ns = new ApiObject(new Construct(chart, 'later'), 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
  expect(other!.appObjectsOfKinds(chart, ['Namespace'])).toEqual([ns]);
  expect(appObjectsOfKinds(chart, ['Namespace'])).toEqual([ns]);
});

import { ApiObject, Chart, Testing } from 'cdk8s';
import { DROPPED_ANNOTATION, MANAGED_BY, markClusterScoped, objectMetadata, sortKeys } from '../../src/private/metadata';

describe('private/metadata: objectMetadata', () => {
  test('the name, our label; no namespace and no annotations when not given', () => {
    expect(MANAGED_BY).toEqual({ 'app.kubernetes.io/managed-by': 'cdk8s-mesh' });
    expect(DROPPED_ANNOTATION).toBe('cdk8s-mesh.io/dropped-settings');
    expect(objectMetadata('order', undefined)).toEqual({ name: 'order', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-mesh' } });
    expect(objectMetadata('order', '')).toEqual({ name: 'order', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-mesh' } });
    expect(objectMetadata('order', undefined, { annotations: {} })).not.toHaveProperty('annotations');
  });

  test('the namespace when given; labels and annotations sorted, our label winning over a given one', () => {
    const meta = objectMetadata('order', 'shop', {
      labels: { 'z': '1', 'app.kubernetes.io/managed-by': 'someone', 'a': '2' },
      annotations: { b: '1', a: '2' },
    });
    expect(meta).toEqual({ name: 'order', namespace: 'shop', labels: { 'a': '2', 'app.kubernetes.io/managed-by': 'cdk8s-mesh', 'z': '1' }, annotations: { a: '2', b: '1' } });
    expect(Object.keys(meta.labels!)).toEqual(['a', 'app.kubernetes.io/managed-by', 'z']);
    expect(Object.keys(meta.annotations!)).toEqual(['a', 'b']);
  });
});

describe('private/metadata: sortKeys', () => {
  test('a copy with keys in code-unit order (upper case before lower case), values kept', () => {
    const map = { b: 1, a: 2, B: 3, a1: 4 };
    const sorted = sortKeys(map);
    expect(Object.keys(sorted)).toEqual(['B', 'a', 'a1', 'b']);
    expect(sorted).toEqual(map);
    expect(sorted).not.toBe(map);
    expect(Object.keys(map)).toEqual(['b', 'a', 'B', 'a1']);
    expect(sortKeys({})).toEqual({});
  });
});

describe('private/metadata: markClusterScoped', () => {
  test('removes the chart\'s namespace from the object, once', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const ns = new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    expect(ns.toJson().metadata.namespace).toBe('shop');
    markClusterScoped(ns);
    markClusterScoped(ns);
    expect(ns.toJson().metadata).toEqual({ name: 'shop' });
  });

  test('an object without a namespace gets no patch (removing a missing path would fail synthesis)', () => {
    const ns = new ApiObject(Testing.chart(), 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    markClusterScoped(ns);
    expect(ns.toJson().metadata).toEqual({ name: 'shop' });
    expect((ns as any).patches).toEqual([]);
  });
});

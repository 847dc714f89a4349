import { ApiObject } from 'cdk8s';

/**
 * A subclass of a generated L1 (`istio.VirtualService`, ...) whose `toJson` returns `ApiObject`'s own
 * rendering without the L1's generated conversion (`toJson_*Props`), where that conversion is proved to
 * change nothing: test/private/l1.test.ts reads the generated converters of every class wrapped here and
 * checks that each key of the whole spec tree is copied under its own name (no rename such as
 * `mirror_percent` or `consecutive5xxErrors`, no IntOrString unwrapping) and that each struct lists its keys
 * in sorted order, the order `ApiObject.toJson` writes (its `sanitizeValue` sorts every object's keys;
 * the conversion then builds each struct in its schema's order and keeps maps as they are). The generated
 * conversion rebuilds every object with a spread per key (`{ ...r, [k]: v }`), which made it about a
 * third of the cost of rendering a VirtualService.
 *
 * The L1's own rendering is used instead when the result could differ:
 * - the object has JSON patches (a patch may add a key the schema does not know, which the conversion
 *   drops, or a key under its schema name, which the conversion reads under another);
 * - `CDK8S_DISABLE_SORT` is set (`ApiObject.toJson` then keeps the keys in the order they were written);
 * - `needsConversion(json)` says so: the keys the proof leaves out (renamed ones the renderers never
 *   write, e.g. a VirtualService route's `mirrorPercent`), checked on the rendered object.
 * Everything else about the class is the L1's (`instanceof istio.VirtualService` holds, its name is the L1's).
 */
/**
 * A test seam: when `compare` is set, it is called with every rendering that skipped the conversion and a
 * function making the L1's own rendering of the object. Every jest run sets it (test/setup/unconverted.ts) to
 * fail on any difference, so that a renderer writing a key the conversion would drop, rename or reorder is
 * caught by whichever test renders it; it is never set outside the tests.
 */
export const unconvertedCheck: { compare?: (obj: ApiObject, json: any, converted: () => any) => void } = {};

export function unconverted<C extends abstract new (...args: any[]) => ApiObject>(l1: C, needsConversion?: (json: any) => boolean): C {
  const L1 = l1 as unknown as new (...args: any[]) => ApiObject;
  class Unconverted extends L1 {
    public toJson(): any {
      if ((this as any).patches?.length !== 0 || process.env.CDK8S_DISABLE_SORT) return super.toJson();
      // ApiObject's own rendering (resolved, sanitized, keys sorted), looked up when called (as `super` is)
      const json = ApiObject.prototype.toJson.call(this);
      if (needsConversion?.(json)) return super.toJson();
      unconvertedCheck.compare?.(this, json, () => super.toJson());
      return json;
    }
  }
  Object.defineProperty(Unconverted, 'name', { value: l1.name });
  return Unconverted as unknown as C;
}

/** Whether any element of `list` (if a list) is an object with the own key `key`. */
export function anyHasKey(list: unknown, key: string): boolean {
  return Array.isArray(list) && list.some(x => x !== null && typeof x === 'object' && Object.prototype.hasOwnProperty.call(x, key));
}

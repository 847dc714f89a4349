/**
 * What to do with a setting the chosen mesh cannot express.
 */
export enum UnsupportedSettings {
  /** Synthesis fails, naming the setting, the mesh and what to do instead. */
  FAIL = 'fail',
  /**
   * The setting is left out; the emitted objects carry a `cdk8s-mesh.io/dropped-settings`
   * annotation that lists it, and a warning is printed.
   */
  DROP_WITH_WARNING = 'drop',
}

/**
 * A setting the chosen mesh cannot express: the one shape of every refusal (a renderer's `unsupported`, a
 * construct's own checks, and a mesh that has no renderer for a pattern at all).
 */
export interface Unsupported {
  /** The prop path, e.g. `circuitBreaker.interval`. */
  readonly setting: string;
  /** The value received. */
  readonly value: unknown;
  /** Why the mesh cannot express it. */
  readonly why: string;
  /** What to do instead. */
  readonly alternative: string;
  /**
   * Why this setting is refused even with UnsupportedSettings.DROP_WITH_WARNING (leaving it out would change
   * who may call what, or leave nothing to write).
   */
  readonly keep?: string;
}

/**
 * A problem with a prop's value (a mesh's own check, or a mesh-owned setting refused with the construct's prop
 * checks): the construct adds it to its problems, `[<path>] <prop>: got <value>: <why>; <fix>`.
 */
export interface PropProblem {
  readonly prop: string;
  readonly value: unknown;
  readonly why: string;
  readonly fix: string;
}

/**
 * The refusal of a mesh that has no renderer for a pattern: "<mesh> cannot express <Pattern>", on the
 * `mesh` prop, never droppable.
 */
export function cannotExpress(meshName: string, pattern: string): Unsupported {
  return {
    setting: 'mesh',
    value: meshName,
    why: `${meshName} cannot express ${pattern}`,
    alternative: `use ${pattern} with a mesh that can express it, or leave it out for ${meshName}`,
    keep: `${meshName} has no renderer for ${pattern}`,
  };
}

import type { PropProblem, Unsupported } from './unsupported';

/**
 * A setting of a pattern that one mesh owns (a mesh-named prop: `consulSamenessGroup`,
 * `linkerdRemoteDiscovery` ...), declared once by the pattern. A renderer lists the owned settings it reads
 * (`reads`); the construct refuses every other one that is set, the same way for every mesh, so that a
 * renderer never refuses another mesh's setting by name, and a new mesh refuses them all until it says it
 * reads one.
 */
export interface OwnedSetting<I> {
  /** Why only its owner expresses it, in the refusal: `<mesh> cannot express this (<why>)`. */
  readonly why: string;
  /** The value set, from the intent; undefined where the setting is off (nothing to refuse). */
  readonly value: (intent: I) => unknown;
  /**
   * What to do instead, for the mesh refusing it (its display name).
   * @default 'remove it'
   */
  readonly alternative?: (meshName: string) => string;
  /**
   * The refusal's reason in full, for the refusing mesh (its display name), where `<mesh> cannot express this
   * (<why>)` would not say it as well (e.g. `... is a Linkerd option, not Istio's`); a setting that may not be
   * dropped only (a droppable one is refused and warned about as the mesh's other unsupported settings).
   * @default - `<mesh> cannot express this (<why>)`
   */
  readonly refusal?: (meshName: string) => string;
  /**
   * Whether UnsupportedSettings.DROP_WITH_WARNING may leave it out (the renderers that do not read it write
   * nothing of it). A setting that may not be dropped is refused with the construct's prop checks, at the
   * place the construct checks the mesh's problems.
   */
  readonly droppable: boolean;
}

/** A pattern's owned settings, by setting path (each declared once, in the order of the refusals). */
export type OwnedSettings<I, S extends string> = { readonly [K in S]: OwnedSetting<I> };

/**
 * The prop paths of a props interface: `consulSamenessGroup`, or `jwt.consulJwksCaFile` one level down, so
 * that an owned setting that names no prop does not compile.
 */
export type PropPath<P> = {
  [K in keyof P & string]-?: K | (NonNullable<P[K]> extends object ? `${K}.${keyof NonNullable<P[K]> & string}` : never)
}[keyof P & string];

/** A refusal of an owned setting: droppable ones as an unsupported setting, the others as a prop problem. */
export interface OwnedRefusals {
  /** The droppable settings the renderer does not read (unsupported, in declaration order). */
  readonly unsupported: Unsupported[];
  /** The settings that may not be dropped the renderer does not read, as prop problems. */
  readonly problems: PropProblem[];
}

/**
 * The owned settings of props `P` set in `intent` that a renderer does not read (`reads`), refused in the
 * mesh's name. `P` (the construct's props) is checked at compile time: each setting is one of its paths.
 */
export function ownedRefusals<P, I, S extends PropPath<P>>(owned: OwnedSettings<I, S>, reads: readonly S[], intent: I, meshName: string): OwnedRefusals {
  const out: { unsupported: Unsupported[]; problems: PropProblem[] } = { unsupported: [], problems: [] };
  for (const setting of Object.keys(owned) as S[]) {
    if (reads.includes(setting)) continue;
    const s: OwnedSetting<I> = owned[setting];
    const value = s.value(intent);
    if (value === undefined) continue;
    const alternative = s.alternative?.(meshName) ?? 'remove it';
    if (s.droppable) out.unsupported.push({ setting, value, why: s.why, alternative });
    else out.problems.push({ prop: setting, value, why: s.refusal?.(meshName) ?? `${meshName} cannot express this (${s.why})`, fix: alternative });
  }
  return out;
}

import { IConstruct } from 'constructs';

/**
 * What a renderer asks of the synthesis under way: the synthesis-time check (src/analysis/synth-check.ts)
 * provides it, and the renderers (src/meshes/) reach it through here, so that they import nothing of the
 * analysis layer. src/patterns/mesh-construct.ts installs the check's functions before any pattern renders.
 */
export interface SynthesisHooks {
  /** `compute()`, once per synthesis of the app of `scope` (each time outside one). */
  perSynthesis<T>(scope: IConstruct, key: string, compute: () => T): T;
  /** Writes a warning where the app's `cdk8s-mesh:warnings` context (else CDK8S_MESH_WARNINGS) says. */
  emitWarning(scope: IConstruct, text: string): void;
}

let hooks: SynthesisHooks = {
  perSynthesis: (_scope, _key, compute) => compute(),
  emitWarning: (_scope, text) => { process.stderr.write(`[cdk8s-mesh] warning: ${text}\n`); },
};

/** Installs the synthesis-time check's functions (src/patterns/mesh-construct.ts). */
export function installSynthesisHooks(h: SynthesisHooks): void {
  hooks = h;
}

/** `compute()`, once per synthesis of the app of `scope` (each time outside one). */
export function perSynthesis<T>(scope: IConstruct, key: string, compute: () => T): T {
  return hooks.perSynthesis(scope, key, compute);
}

/** Writes a warning where the app's `cdk8s-mesh:warnings` context (else CDK8S_MESH_WARNINGS) says. */
export function emitWarning(scope: IConstruct, text: string): void {
  hooks.emitWarning(scope, text);
}

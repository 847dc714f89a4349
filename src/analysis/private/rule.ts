import { AnalysisContext, Doc, RawFinding } from './context';
import { Severity } from '../findings';

/** One cross-resource rule of the analyzer. */
export interface AnalyzerRule {
  /** Stable code, e.g. `I101`. */
  readonly code: string;
  readonly severity: Severity;
  /** The mesh whose manifests the rule reads; `any`: every manifest, whatever the mesh. */
  readonly mesh: 'istio' | 'linkerd' | 'consul' | 'any';
  /** The kinds the rule reads. */
  readonly kinds: string[];
  /** One line: what the rule finds. */
  readonly summary: string;
  /** The upstream rule it mirrors (IST/KIA code, Linkerd or Consul webhook rule). */
  readonly upstream: string;
  check(ctx: AnalysisContext): RawFinding[];
}

/** A raw finding. */
export function at(doc: Doc, path: (string | number)[], message: string): RawFinding {
  return { doc, path, message };
}

/** The value if it is an array, else an empty one: rules read hand-written YAML of any shape. */
export function arr(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

import { Construct } from 'constructs';
import { formatMillis } from './format';

/** The longest string shown whole in an error message. */
const SHOW_MAX = 120;

/** Shows a received value in an error message. */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') {
    // a long input is shown by its start and length: an error message is read, not a copy of the input
    return value.length > SHOW_MAX ? `${JSON.stringify(value.slice(0, SHOW_MAX - 20)).slice(0, -1)}..." (${value.length} characters)` : JSON.stringify(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  // a class passed for an instance (e.g. `service: ServiceRef`): its name, not its source
  if (typeof value === 'function') return value.name ? `[function ${value.name}]` : '[function]';
  if (value && typeof (value as any).toMilliseconds === 'function') {
    // a cdk8s Duration, shown as the meshes write it
    const ms: number = (value as any).toMilliseconds({ integral: false });
    if (!Number.isFinite(ms)) return `Duration.millis(${ms})`; // not "NaNms"
    return Number.isInteger(ms) && ms > 0 ? formatMillis(ms) : `${ms}ms`;
  }
  try {
    const s = JSON.stringify(value);
    return s.length > 80 ? s.slice(0, 77) + '...' : s;
  } catch {
    return String(value);
  }
}

/**
 * The one shape of every prop error: construct path, prop, value received, what is wrong, how to fix it.
 */
export function propMessage(prop: string, value: unknown, problem: string, fix: string): string {
  return `${prop}: got ${show(value)}: ${problem}; ${fix}`;
}

/** Collects several prop problems and throws them together. */
export class ProblemList {
  private readonly problems: string[] = [];

  constructor(private readonly scope: Construct) {}

  public add(prop: string, value: unknown, problem: string, fix: string): void {
    this.problems.push(propMessage(prop, value, problem, fix));
  }

  public addRaw(message: string): void {
    this.problems.push(message);
  }

  public get length(): number {
    return this.problems.length;
  }

  public throwIfAny(): void {
    if (!this.problems.length) return;
    const path = this.scope.node.path;
    if (this.problems.length === 1) throw new Error(`[${path}] ${this.problems[0]}`);
    throw new Error(`[${path}] ${this.problems.length} problems:\n${this.problems.map(p => `  - ${p}`).join('\n')}`);
  }
}

/**
 * The one way the constructs and renderers make the Error they throw (lint refuses `throw new Error` elsewhere in src/;
 * the analysis layer, which reads files, throws its own classes): the message names
 * the construct path (or the factory, e.g. `Mesh.istio:`), the prop, the value received and the fix, as
 * `propMessage` and `ProblemList` write them.
 */
export function meshError(message: string): Error {
  return new Error(message);
}

import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { MeshAnalysis } from './analysis/synth-check';
import { Mesh } from './mesh';
import { ProblemList, show } from './private/errors';
import { DNS1123_LABEL } from './private/names';
import { ServiceRef } from './service';

/**
 * A setting the chosen mesh cannot express (for a construct's own use).
 */
interface Unsupported {
  readonly setting: string;
  readonly value: unknown;
  readonly why: string;
  readonly alternative: string;
}

/**
 * What the patterns have in common: the mesh, warnings, and the analysis of their chart at synthesis.
 */
export abstract class MeshConstruct extends Construct {
  /** The mesh the configuration is written for. */
  public readonly mesh: Mesh;
  private readonly _warnings: string[] = [];

  protected constructor(scope: Construct, id: string, mesh: Mesh) {
    super(scope, id);
    if (!(mesh instanceof Mesh)) {
      const problems = new ProblemList(this);
      problems.add('mesh', mesh, 'a mesh is required', 'pass mesh: Mesh.istio(), Mesh.linkerd() or Mesh.consul()');
      problems.throwIfAny();
    }
    this.mesh = mesh;
    const meshProblems = new ProblemList(this);
    for (const p of mesh._problems()) meshProblems.addRaw(p);
    meshProblems.throwIfAny();
    if (Chart.isChart(this.node.scopes.find(s => Chart.isChart(s)))) MeshAnalysis.of(this);
  }

  /** Warnings about the configuration (also printed to stderr). */
  public get warnings(): string[] {
    return [...this._warnings];
  }

  /**
   * Records and prints a warning.
   * @internal
   */
  protected _warn(message: string): void {
    this._warnings.push(message);
    process.stderr.write(`[cdk8s-mesh] warning: [${this.node.path}] ${message}\n`);
  }

  /**
   * The namespace a pattern writes to: `given`, or the chart's. Adds a problem naming `subject` unless it
   * is a DNS-1123 label.
   * @internal
   */
  protected _resolveNamespace(problems: ProblemList, given: string | undefined, subject: string): string | undefined {
    const namespace = given ?? Chart.of(this).namespace;
    if (!namespace || namespace.length > 63 || !DNS1123_LABEL.test(namespace)) {
      problems.add('namespace', namespace, `${subject} needs a namespace (a DNS-1123 label)`, "pass namespace: 'shop', or give the chart a namespace");
      return undefined;
    }
    return namespace;
  }

  /**
   * Throws a named error unless `service` is a ServiceRef.
   * @internal
   */
  protected _requireService(service: unknown): ServiceRef {
    if (!(service instanceof ServiceRef)) {
      const problems = new ProblemList(this);
      problems.add('service', service, 'a service reference is required', "pass service: ServiceRef.fromName('payment', { port: 8080 }) or ServiceRef.fromService(svc)");
      problems.throwIfAny();
    }
    return service as ServiceRef;
  }

  /**
   * Settings the mesh cannot express, refused: each named with why and the alternative (plus `fixSuffix`),
   * thrown with any problems found before.
   * @internal
   */
  protected _refuseUnsupported(problems: ProblemList, unsupported: Unsupported[], fixSuffix: string = ''): void {
    for (const u of unsupported) problems.add(u.setting, u.value, `${this.mesh.displayName} cannot express this (${u.why})`, `${u.alternative}${fixSuffix}`);
    problems.throwIfAny();
  }

  /**
   * Settings the mesh cannot express: refused (naming each), or with `drop`, left out with a warning.
   * Returns the note for the `cdk8s-mesh.io/dropped-settings` annotation, if any were dropped.
   * @internal
   */
  protected _handleUnsupported(problems: ProblemList, unsupported: Unsupported[], drop: boolean): string | undefined {
    if (!unsupported.length) return undefined;
    if (!drop) this._refuseUnsupported(problems, unsupported, ', or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out');
    for (const u of unsupported) this._warn(`${u.setting} (${show(u.value)}) is not written: ${this.mesh.displayName} cannot express it (${u.why})`);
    return unsupported.map(u => `${u.setting}=${typeof u.value === 'string' ? u.value : show(u.value)}`).join(', ');
  }
}

import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { isEnrolledByRenderers, MeshNamespace, PatternRenderer, RenderContext, renderersOf } from './renderers';
import { emitWarning, MeshAnalysis, perSynthesis } from '../analysis/synth-check';
import { Mesh } from '../model/mesh';
import { ownedRefusals, OwnedSettings, PropPath } from '../model/owned';
import { ServiceRef } from '../model/service';
import type { Unsupported } from '../model/unsupported';
import { sharedOf } from '../private/contributions';
import { addDroppedNote, droppedEntries, isJoined } from '../private/dropped';
import { ProblemList, show } from '../private/errors';
import { PodTemplate } from '../private/k8s-objects';
import { DROPPED_ANNOTATION } from '../private/metadata';
import { isDns1123Label } from '../private/names';
import { installSynthesisHooks } from '../private/synthesis';

// the renderers reach the synthesis under way through src/private/synthesis.ts (they import no analysis)
installSynthesisHooks({ perSynthesis, emitWarning });

/**
 * What the patterns have in common: the mesh, warnings, and the analysis of their chart at synthesis.
 */
export abstract class MeshConstruct extends Construct {
  /**
   * The warnings of `scope` if it is a pattern construct (a shared object's renderer warns through it, as
   * `context.warn`, under the path of the pattern that called it), else undefined.
   * @internal
   */
  public static _warnerOf(scope: IConstruct): ((message: string) => void) | undefined {
    return scope instanceof MeshConstruct ? m => scope._warn(m) : undefined;
  }

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
   * The cdk8s objects this pattern wrote, to patch them (`addJsonPatch`, `metadata.addAnnotation`): its own,
   * and the routing objects of its service that it shares with the other patterns shaping the same service
   * (one VirtualService, ServiceRouter or HTTPRoute set per service). Namespaces and mesh-wide singletons
   * written for several patterns are not included. Read it after the constructor: objects the pattern
   * creates at synthesis are not in it.
   */
  public get apiObjects(): ApiObject[] {
    const found = new Set<ApiObject>();
    // what the pattern or one of its children (a renderer's scope) contributed to
    for (const scope of [this, ...this.node.findAll().flatMap(c => sharedOf(c))]) {
      for (const c of scope.node.findAll()) if (c instanceof ApiObject && attached(c)) found.add(c);
    }
    return [...found].sort((a, b) => (a.node.path < b.node.path ? -1 : a.node.path > b.node.path ? 1 : 0));
  }

  /**
   * Records and prints a warning.
   * @internal
   */
  protected _warn(message: string): void {
    this._warnings.push(message);
    emitWarning(this, `[${this.node.path}] ${message}`);
  }

  /**
   * The namespace a pattern writes to: `given`, or the chart's. Adds a problem naming `subject` unless it
   * is a DNS-1123 label.
   * @internal
   */
  protected _resolveNamespace(problems: ProblemList, given: string | undefined, subject: string): string | undefined {
    const namespace = given ?? Chart.of(this).namespace;
    if (!isDns1123Label(namespace)) {
      problems.add('namespace', namespace, `${subject} needs a namespace (a DNS-1123 label)`, "pass namespace: 'shop', or give the chart a namespace");
      return undefined;
    }
    return namespace;
  }

  /**
   * Enrols the workloads of `namespace` in the mesh (docs/enrolment.md), as the mesh's enrolment renderer says
   * (MeshRenderers.enrolment): the Namespace's label or annotation (the user's Namespace object, or one written
   * for a namespace the app owns), or the pod templates; `workloads` are workloads the pattern was given. Warns
   * where it cannot.
   * @internal
   */
  protected _enrol(namespace: string | undefined,
    options: {
      namespaceObject?: IConstruct; owned?: boolean; workloads?: (PodTemplate | undefined)[]; services?: ServiceRef[];
    } = {}): MeshNamespace | undefined {
    // ENROLLED_BY_RENDERERS (ambient: AmbientNamespace enrols the namespaces of the patterns that need it)
    const renderer = renderersOf(this.mesh).enrolment;
    if (!namespace || isEnrolledByRenderers(renderer)) return undefined;
    const enrolment = MeshNamespace.of(this, namespace, this.mesh, renderer,
      { namespaceObject: options.namespaceObject, owned: options.owned, warn: m => this._warn(m) });
    for (const w of options.workloads ?? []) if (w) enrolment.enrolWorkload(w);
    for (const s of options.services ?? []) enrolment.checkService(s.name, s.selector, m => this._warn(m));
    return enrolment;
  }

  /**
   * Enrols the namespaces of `services` (each once) and the workloads they were made from.
   * @internal
   */
  protected _enrolServices(services: (ServiceRef | undefined)[], workloads: (PodTemplate | undefined)[] = []): void {
    const refs = services.filter((s): s is ServiceRef => s instanceof ServiceRef);
    const namespaces = [...new Set(refs.map(s => s._namespaceFrom(this)))];
    for (const ns of namespaces) {
      const here = refs.filter(s => s._namespaceFrom(this) === ns);
      this._enrol(ns, { workloads: [...here.map(s => s._workload()), ...(ns === namespaces[0] ? workloads : [])], services: here });
    }
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
   * What the mesh's renderer is given with the intent: the mesh, this construct's `_warn`, and the note of
   * the settings dropped (for the objects' `cdk8s-mesh.io/dropped-settings` annotation), if any.
   * @internal
   */
  protected _renderContext(droppedNote?: string): RenderContext {
    return { mesh: this.mesh, warn: m => this._warn(m), ...(droppedNote !== undefined ? { droppedNote } : {}) };
  }

  /**
   * The pattern's mesh-owned settings set in `intent` that the renderer does not read (`reads`), refused in the
   * mesh's name (`ownedRefusals`): those that may not be dropped are added to `problems`; the droppable ones are
   * returned, for `_handleUnsupported` with the renderer's own unsupported settings.
   * @internal
   */
  protected _refuseOwned<P, I, S extends PropPath<P>>(problems: ProblemList, owned: OwnedSettings<I, S>, reads: readonly S[], intent: I): Unsupported[] {
    const refusals = ownedRefusals<P, I, S>(owned, reads, intent, this.mesh.displayName);
    for (const p of refusals.problems) problems.add(p.prop, p.value, p.why, p.fix);
    return refusals.unsupported;
  }

  /**
   * Asks the mesh's renderer what it says of the intent besides its objects, the same way in every pattern
   * (PatternRenderer): its warnings (`warnings`, given through this construct's `_warn`), then its own
   * checks of the values (`problems`, added to `problems` after the construct's checks of the same batch,
   * and thrown with them). A pattern asks both just before `unsupported`; where PatternRenderer documents
   * another point for a pattern (to keep its messages in order), it asks each hook there (`hooks`).
   * @internal
   */
  protected _askMesh<I>(problems: ProblemList, renderer: Pick<PatternRenderer<I>, 'warnings' | 'problems'>, intent: I,
    hooks: readonly ('warnings' | 'problems')[] = ['warnings', 'problems']): void {
    const context = this._renderContext();
    if (hooks.includes('warnings')) renderer.warnings?.(intent, context);
    if (hooks.includes('problems')) for (const p of renderer.problems?.(intent, context) ?? []) problems.add(p.prop, p.value, p.why, p.fix);
  }

  /**
   * Settings the mesh cannot express: refused (naming each), or with `drop`, left out with a warning, except
   * those whose removal would break the pattern (`keep`: refused with their reason). Thrown with the problems
   * found before. `who` is what cannot express them in the messages (CanaryRelease: `Flagger on Istio`).
   * Returns the note for the `cdk8s-mesh.io/dropped-settings` annotation, if any were dropped.
   * @internal
   */
  protected _handleUnsupported(problems: ProblemList, unsupported: Unsupported[], drop: boolean, who: string = this.mesh.displayName): string | undefined {
    if (!unsupported.length) {
      problems.throwIfAny(); // with the problems found before
      return undefined;
    }
    const refused = drop ? unsupported.filter(u => u.keep) : unsupported;
    for (const u of refused) {
      const suffix = u.keep
        ? (drop ? ` (UnsupportedSettings.DROP_WITH_WARNING does not leave this setting out: ${u.keep})` : '')
        : ', or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out';
      problems.add(u.setting, u.value, `${who} cannot express this (${u.why})`, `${u.alternative}${suffix}`);
    }
    problems.throwIfAny();
    for (const u of unsupported) this._warn(`${u.setting} (${show(u.value)}) is not written: ${who} cannot express it (${u.why})`);
    return unsupported.map(u => `${u.setting}=${typeof u.value === 'string' ? u.value : show(u.value)}`).join(', ');
  }

  /**
   * Warns, at synthesis (when every pattern of the app has written its objects, in either creation order), of
   * the entries of `note` that no object of the app carries: the mesh wrote nothing they would have been
   * written to (Istio ambient: a ResilientService whose settings are all dropped writes no route and no
   * waypoint), so the drop warnings are their only record. An entry is looked for by its `setting=value` text
   * in every object's dropped-settings annotation.
   * @internal
   */
  protected _warnIfNotedNowhere(note: string | undefined): void {
    if (!note) return;
    let checked = false;
    this.node.addValidation({
      validate: () => {
        if (checked) return [];
        checked = true;
        const carried = new Set<string>();
        for (const c of this.node.root.node.findAll()) {
          const value = c instanceof ApiObject ? c.metadata.toJson().annotations?.[DROPPED_ANNOTATION] : undefined;
          if (typeof value === 'string' && value) for (const e of droppedEntries(value)) carried.add(e);
        }
        const nowhere = droppedEntries(note).filter(e => !carried.has(e));
        if (nowhere.length) {
          const one = nowhere.length === 1;
          this._warn(`the ${DROPPED_ANNOTATION} note of ${nowhere.join(', ')} is on no object: ${this.mesh.displayName} writes nothing that would hold `
            + `${one ? 'it once it is' : 'them once they are'} left out, so the warning${one ? '' : 's'} above ${one ? 'is its' : 'are their'} only record`);
        }
        return [];
      },
    });
  }

  /**
   * Marks the objects under this construct with the dropped-settings note (patterns whose objects are their
   * own children), joined with the notes of the other patterns that wrote to them (addDroppedNote). Objects
   * shared by several patterns (markJoined) are left to their joining methods.
   * @internal
   */
  protected _markDropped(note: string | undefined, objects: IConstruct[] = this.node.findAll()): void {
    if (!note) return;
    for (const c of objects) {
      if (c instanceof ApiObject && !isJoined(c)) addDroppedNote(c, note);
    }
  }
}

/**
 * Whether `c` is still in its app's tree: an object a pattern wrote and another replaced later (the multicluster
 * gateway's authorization moving from a Linkerd Server to its zero-trust routes) is removed from its parent.
 */
function attached(c: IConstruct): boolean {
  for (let n: IConstruct = c; n.node.scope; n = n.node.scope) {
    if (n.node.scope.node.tryFindChild(n.node.id) !== n) return false;
  }
  return true;
}

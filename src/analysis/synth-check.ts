import * as fs from 'fs';
import { ApiObject, Chart, DependencyGraph } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { MeshAnalyzer } from './analyzer';
import { Finding, Severity } from './findings';
import { contentDifference, isClusterScoped, objectKey } from './private/duplicates';
import { ManifestValidator } from './validator';
import { clusterOf, markChartCluster as markCluster, sameCluster } from '../private/clusters';
import { meshError } from '../private/errors';
import { MANAGED_BY } from '../private/metadata';
import { withYamlWriter } from '../private/yaml-writer';

const ID = 'cdk8s-mesh';

/** The context key that turns the synthesis-time analysis (and the duplicate-object check) off. */
export const ANALYZE_CONTEXT = 'cdk8s-mesh:analyze';

/** The context key that turns the synthesis-time schema + CEL validation off. */
export const VALIDATE_CONTEXT = 'cdk8s-mesh:validate';

/**
 * The context key (or environment variable CDK8S_MESH_WARNINGS) that says where warnings go: `stderr`
 * (the default), `none` (dropped: they stay in each pattern's `warnings`), or `file:PATH` (appended to
 * PATH, one per line, e.g. for a CI step to read).
 */
export const WARNINGS_CONTEXT = 'cdk8s-mesh:warnings';

/**
 * Writes a warning where the app's `cdk8s-mesh:warnings` context (else CDK8S_MESH_WARNINGS) says.
 * @internal
 */
export function emitWarning(scope: IConstruct, text: string): void {
  const line = `[cdk8s-mesh] warning: ${text}\n`;
  const raw: unknown = scope.node.tryGetContext(WARNINGS_CONTEXT) ?? process.env.CDK8S_MESH_WARNINGS;
  const where = raw === undefined || raw === '' ? 'stderr' : raw;
  if (where === 'stderr') {
    process.stderr.write(line);
  } else if (where === 'none') {
    return;
  } else if (typeof where === 'string' && where.startsWith('file:') && where.length > 'file:'.length) {
    fs.appendFileSync(where.slice('file:'.length), line);
  } else {
    const from = scope.node.tryGetContext(WARNINGS_CONTEXT) !== undefined ? `context ${WARNINGS_CONTEXT}` : 'CDK8S_MESH_WARNINGS';
    throw meshError(`[${scope.node.path}] ${from}: got ${JSON.stringify(where)}: warnings go to stderr (the default), none, or file:PATH (appended); `
      + `set it to one of those, e.g. app.node.setContext('${WARNINGS_CONTEXT}', 'file:dist/mesh-warnings.txt')`);
  }
}

/** The analyzer's duplicate-object rules: synthesis reports duplicates itself, with both construct paths. */
const DUPLICATE_CODES = new Set(['K101', 'K102']);

/**
 * Marks a chart as the output of one cluster of a multi-cluster app: charts of different clusters may
 * hold the same object, and are analyzed apart (src/private/clusters.ts, shared with the enrolment).
 * @internal
 */
export function markChartCluster(chart: Chart, cluster: string, by: string): void {
  markCluster(chart, cluster, by);
}

interface Emitted {
  readonly api: ApiObject;
  readonly chart: Chart;
  readonly json: any;
}

/**
 * One synthesis of an app (`app.synth()`, `app.synthYaml()`, `chart.toJson()`, `Testing.synth`), while it
 * is under way. cdk8s validates the whole app again before it renders each chart (`App._synthChart`): the
 * outcome of the check is kept for the synthesis, so that an app of N charts is checked once and not
 * N + 1 times; and each object is rendered once: the check's rendering is the one the synthesis writes.
 * No user code runs inside a synthesis; both are dropped when it ends.
 */
interface Synthesis {
  depth: number;
  /** Inside `app.synth()` or `app.synthYaml()`, which resolve the dependencies and validate the app first. */
  app: number;
  checked?: { readonly constructs: number; readonly objects: ApiObject[]; readonly errors: string[] };
  readonly rendered: Set<ApiObject>;
  /** What lazy values read from the whole app (see `perSynthesis`). */
  readonly memo: Map<string, unknown>;
}
const SYNTHESES = new WeakMap<IConstruct, Synthesis>();
const WRAPPED = new WeakSet<object>();

/**
 * `compute()`, once per synthesis of the app of `scope` (each time outside one): for lazy values that read
 * the whole app (e.g. every Service), which would otherwise read it once per object they render.
 * @internal
 */
export function perSynthesis<T>(scope: IConstruct, key: string, compute: () => T): T {
  const s = SYNTHESES.get(scope.node.root);
  if (!s) return compute();
  if (!s.memo.has(key)) s.memo.set(key, compute());
  return s.memo.get(key) as T;
}

/**
 * The objects a chart renders, in the order cdk8s' `Chart.toJson` (chartToKube) renders them: its constructs in
 * `DependencyGraph` topological order, the ApiObjects whose closest chart it is. The graph keys a vertex per
 * construct by its path, two path strings per construct, and a pattern's tree has twice the constructs of raw
 * objects; `simpleTopology` gives the same order without it in the shapes the library makes.
 */
export function chartObjects(chart: Chart): ApiObject[] {
  const ordered = simpleTopology(chart) ?? new DependencyGraph(chart.node).topology();
  return ordered.filter((x): x is ApiObject => ApiObject.isApiObject(x) && Chart.of(x) === chart);
}

/**
 * `new DependencyGraph(root.node).topology()` (cdk8s lib/dependency.js) when every dependency among the constructs
 * of `root` goes to a construct of `root` that has no dependency of its own (the library's shape: every object
 * of a chart depends on its Namespace object, namespaceFirst in meshes/enrolment.ts); undefined otherwise (the
 * graph then decides, and reports a cycle in its words). The graph makes a vertex per construct in `findAll()`
 * order and an edge per dependency in that order; the vertices without a dependant are the roots, visited in
 * turn, each after its dependencies (each construct once). With only edges into constructs without dependencies,
 * that is: each construct that no other depends on, after those of its dependencies not yet written.
 * test/analysis/synth-check.test.ts compares both on generated trees.
 */
function simpleTopology(root: IConstruct): IConstruct[] | undefined {
  const all = root.node.findAll();
  let depsOf: Map<IConstruct, IConstruct[]> | undefined;
  const targets = new Set<IConstruct>();
  for (const c of all) {
    const deps = c.node.dependencies;
    if (!deps.length) continue;
    depsOf = depsOf ?? new Map();
    depsOf.set(c, deps);
    for (const d of deps) targets.add(d);
  }
  if (!depsOf) return all;
  const inTree = new Set(all);
  for (const t of targets) {
    // a dependency outside the tree (the graph skips it, by path), or one with dependencies of its own
    if (!inTree.has(t) || depsOf.has(t)) return undefined;
  }
  const out: IConstruct[] = [];
  const written = new Set<IConstruct>();
  for (const c of all) {
    if (targets.has(c)) continue;
    for (const d of depsOf.get(c) ?? []) {
      if (!written.has(d)) {
        written.add(d);
        out.push(d);
      }
    }
    if (!written.has(c)) {
      written.add(c);
      out.push(c);
    }
  }
  return out;
}

/** Makes `target[method]` (synth, synthYaml, toJson) one synthesis of the app `root`. */
function wrapSynthesis(target: any, method: string, root: IConstruct): void {
  if (WRAPPED.has(target) && Object.prototype.hasOwnProperty.call(target, method)) return;
  const original = target[method];
  if (typeof original !== 'function') return;
  WRAPPED.add(target);
  const isApp = target === root;
  target[method] = function (this: unknown, ...args: unknown[]) {
    const s = SYNTHESES.get(root) ?? { depth: 0, app: 0, rendered: new Set<ApiObject>(), memo: new Map<string, unknown>() };
    SYNTHESES.set(root, s);
    s.depth++;
    if (isApp) s.app++;
    try {
      // a chart rendered by app.synth() / app.synthYaml(): they have resolved the dependencies and
      // validated the app (all constructs, these checks included) already, and nothing has changed since;
      // cdk8s' Chart.toJson (App._synthChart) would do both again for each chart, over the whole app,
      // which makes synthesis quadratic in the number of charts. Render it as Chart.toJson does (cdk8s
      // chartToKube): its objects in dependency order, each in its closest chart.
      if (!isApp && s.app > 0 && method === 'toJson' && Chart.isChart(target)) {
        return chartObjects(target).map(o => o.toJson());
      }
      // app.synth() / app.synthYaml(): the YAML written directly, the same text as cdk8s' (private/yaml-writer.ts)
      return isApp ? withYamlWriter(() => original.apply(this, args)) : original.apply(this, args);
    } finally {
      if (isApp) s.app--;
      if (--s.depth === 0) {
        SYNTHESES.delete(root);
        for (const c of s.rendered) if (Object.prototype.hasOwnProperty.call(c, 'toJson')) delete (c as any).toJson;
      }
    }
  };
}

/**
 * The checks that run when an app with our constructs is synthesized (`app.synth()`, `cdk8s synth`,
 * `Testing.synth`): every emitted object against its pinned schema and CEL rules, the analyzer over
 * each cluster's objects, and objects written twice. Errors fail synthesis with the construct path of
 * the offending object; warnings are printed. Every pattern construct attaches it, once per app: the
 * objects of all charts are rendered once and checked once per synthesis, whatever the number of charts.
 */
export class MeshAnalysis extends Construct {
  /** Attaches the checks to the app of `scope` (once per app). */
  public static of(scope: Construct): MeshAnalysis {
    const root = scope.node.root;
    const analysis = (root.node.tryFindChild(ID) as MeshAnalysis | undefined) ?? new MeshAnalysis(root, ID);
    const chart = scope.node.scopes.slice().reverse().find(Chart.isChart);
    if (chart) wrapSynthesis(chart, 'toJson', root);
    return analysis;
  }

  private constructor(scope: IConstruct, id: string) {
    super(scope as Construct, id);
    this.node.addValidation({ validate: () => this.check() });
    for (const method of ['synth', 'synthYaml']) wrapSynthesis(scope, method, scope);
  }

  private check(): string[] {
    const root = this.node.scope!;
    // app.node.setContext('cdk8s-mesh:analyze' | 'cdk8s-mesh:validate', false) turns a check off, e.g.
    // when the validation plugin or a CI step checks the output anyway (read per chart, so that a
    // chart's own context counts too)
    // (read once per chart and check: a chart's context cannot change once it has children)
    const offs = new Map<Chart, { validate: boolean; analyze: boolean }>();
    const read = (c: Chart, key: string) => c.node.tryGetContext(key) === false || c.node.tryGetContext(key) === 'false';
    const offOf = (c: Chart) => {
      let o = offs.get(c);
      if (!o) offs.set(c, o = { validate: read(c, VALIDATE_CONTEXT), analyze: read(c, ANALYZE_CONTEXT) });
      return o;
    };
    const off = (c: Chart, key: typeof VALIDATE_CONTEXT | typeof ANALYZE_CONTEXT) => (key === VALIDATE_CONTEXT ? offOf(c).validate : offOf(c).analyze);
    const all = root.node.findAll();
    const objects = all.filter(ApiObject.isApiObject);
    const synthesis = SYNTHESES.get(root);
    const last = synthesis?.checked;
    if (last && last.constructs === all.length && last.objects.length === objects.length && last.objects.every((o, i) => o === objects[i])) {
      return last.errors;
    }
    const emitted: Emitted[] = [];
    for (const c of objects) {
      const chart = Chart.of(c);
      const validate = !off(chart, VALIDATE_CONTEXT);
      const analyze = !off(chart, ANALYZE_CONTEXT);
      if (!validate && !analyze) continue;
      if (synthesis?.rendered.has(c)) delete (c as any).toJson; // an earlier check's rendering: render again
      const json = c.toJson();
      emitted.push({ api: c, chart, json });
      // inside a synthesis, the synthesis renders the object next: it gets this rendering, once
      if (synthesis && !Object.prototype.hasOwnProperty.call(c, 'toJson')) {
        (c as any).toJson = () => {
          delete (c as any).toJson;
          return json;
        };
        synthesis.rendered.add(c);
      }
    }
    const errors: string[] = [];
    // printed once per synthesis: the outcome of this check is kept for the synthesis (see Synthesis)
    const warn = (text: string) => emitWarning(this, text);
    const report = (f: Finding, source: string | undefined, hint = '') => {
      const text = `${source ? `[${source}] ` : ''}${f.code} ${f.resource}${f.path ? `: ${f.path}` : ''}: ${f.message}${f.upstream ? ` [${f.upstream}]` : ''}${hint}`;
      if (f.severity === Severity.ERROR) errors.push(text);
      else if (f.severity === Severity.WARNING) warn(text);
    };

    // 1. every object against its pinned CRD schema and CEL rules: what the API server would refuse
    for (const e of emitted) {
      if (off(e.chart, VALIDATE_CONTEXT)) continue;
      for (const f of ManifestValidator.validateObjects([e.json]).findings) {
        report(f, e.api.node.path, f.severity === Severity.ERROR ? ' (the API server would refuse this object)' : '');
      }
    }

    // 2. the analyzer, over each cluster's objects together (rules see across the charts of a cluster)
    const analyzed = emitted.filter(e => !off(e.chart, ANALYZE_CONTEXT));
    const groups = new Map<string, Emitted[]>();
    for (const e of analyzed) {
      const cluster = clusterOf(e.chart) ?? '';
      if (!groups.has(cluster)) groups.set(cluster, []);
      groups.get(cluster)!.push(e);
    }
    for (const members of groups.values()) {
      const namespaces = new Set(members.map(e => e.chart.namespace).filter(ns => ns !== undefined));
      const result = MeshAnalyzer.analyzeObjects(members.map(e => e.json), { defaultNamespace: namespaces.size === 1 ? [...namespaces][0] : undefined });
      for (const f of result.findings) {
        if (DUPLICATE_CODES.has(f.code)) continue;
        report(f, f.documentIndex !== undefined ? members[f.documentIndex]?.api.node.path : undefined);
      }
    }

    // 3. one object (API group, kind, namespace, name) written twice into one cluster: the one applied
    // last replaces the other. Charts of different clusters (MultiClusterExport) may hold the same object.
    const byKey = new Map<string, Emitted[]>();
    for (const e of analyzed) {
      const key = objectKey(e.json);
      if (key === undefined) continue;
      if (!byKey.has(key)) byKey.set(key, []);
      byKey.get(key)!.push(e);
    }
    for (const list of byKey.values()) {
      for (let j = 1; j < list.length; j++) {
        const b = list[j];
        const a = list.slice(0, j).find(x => sameCluster(x.chart, b.chart));
        if (!a) continue;
        // (a cluster-scoped object is one object whatever namespace its manifest gives: CLUSTER_SCOPED_KINDS)
        const clusterScoped = isClusterScoped(b.json);
        const what = `${b.json.kind} ${b.json.metadata?.namespace && !clusterScoped ? `${b.json.metadata.namespace}/` : ''}${b.json.metadata?.name}`;
        const difference = contentDifference(a.json, b.json);
        const charts = a.chart === b.chart ? '' : ` (charts ${a.chart.node.path} and ${b.chart.node.path}, one cluster)`;
        if (difference === undefined) {
          warn(`[${b.api.node.path}] writes ${what} again, with the same content as [${a.api.node.path}]${charts}: the output holds it twice (kustomize refuses duplicate objects, Argo CD warns); write it once`);
          continue;
        }
        // a second Namespace object of a namespace beside the one a pattern wrote (the user's, made after that pattern)
        const byPattern = (x: Emitted) => x.json.metadata?.labels?.['app.kubernetes.io/managed-by'] === MANAGED_BY['app.kubernetes.io/managed-by'];
        const advice = b.json.kind === 'Namespace' && clusterScoped && (byPattern(a) || byPattern(b))
          ? 'write the Namespace once: create it before the first pattern of its namespace (which then enrols it instead of writing its own), '
            + 'or leave it out and let the pattern write it'
          : 'write the object once: merge the two constructs, or give one of them another id or name '
            + '(construct ids that differ only in case, such as edge and Edge, give the same name)';
        errors.push(`[${b.api.node.path}] writes ${what}, which [${a.api.node.path}] writes too, with different content${charts} (they differ at ${difference}): `
          + `applied together, the one applied last replaces the other; ${advice}`
          + (a.chart === b.chart ? '' : "; for a MultiClusterExport, pass the chart that already holds the cluster's objects as the cluster's chart: so that they merge"));
      }
    }
    if (synthesis) synthesis.checked = { constructs: all.length, objects, errors };
    return errors;
  }
}

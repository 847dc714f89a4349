import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { MeshAnalyzer } from './analyzer';
import { Finding, Severity } from './findings';
import { firstDifference, objectKey } from './private/duplicates';
import { ManifestValidator } from './validator';

const ID = 'cdk8s-mesh';

/** The context key that turns the synthesis-time analysis (and the duplicate-object check) off. */
export const ANALYZE_CONTEXT = 'cdk8s-mesh:analyze';

/** The context key that turns the synthesis-time schema + CEL validation off. */
export const VALIDATE_CONTEXT = 'cdk8s-mesh:validate';

/** The analyzer's duplicate-object rules: synthesis reports duplicates itself, with both construct paths. */
const DUPLICATE_CODES = new Set(['K101', 'K102']);

/** The cluster whose output a chart is (set by MultiClusterExport); charts without one are the app's cluster. */
const CLUSTERS = new WeakMap<Chart, string>();

/**
 * Marks a chart as the output of one cluster of a multi-cluster app: charts of different clusters may
 * hold the same object, and are analyzed apart.
 * @internal
 */
export function markChartCluster(chart: Chart, cluster: string): void {
  CLUSTERS.set(chart, cluster);
}

interface Emitted {
  readonly api: ApiObject;
  readonly chart: Chart;
  readonly json: any;
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
    return (root.node.tryFindChild(ID) as MeshAnalysis | undefined) ?? new MeshAnalysis(root, ID);
  }

  private constructor(scope: IConstruct, id: string) {
    super(scope as Construct, id);
    this.node.addValidation({ validate: () => this.check() });
  }

  private check(): string[] {
    const root = this.node.scope!;
    // app.node.setContext('cdk8s-mesh:analyze' | 'cdk8s-mesh:validate', false) turns a check off, e.g.
    // when the validation plugin or a CI step checks the output anyway (read per chart, so that a
    // chart's own context counts too)
    const off = (c: Chart, key: string) => c.node.tryGetContext(key) === false || c.node.tryGetContext(key) === 'false';
    const emitted: Emitted[] = [];
    for (const c of root.node.findAll()) {
      if (!ApiObject.isApiObject(c)) continue;
      const chart = Chart.of(c);
      const validate = !off(chart, VALIDATE_CONTEXT);
      const analyze = !off(chart, ANALYZE_CONTEXT);
      if (validate || analyze) emitted.push({ api: c, chart, json: c.toJson() });
    }
    const errors: string[] = [];
    const warn = (text: string) => process.stderr.write(`[cdk8s-mesh] warning: ${text}\n`);
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
      const cluster = CLUSTERS.get(e.chart) ?? '';
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
        const what = `${b.json.kind} ${b.json.metadata?.namespace ? `${b.json.metadata.namespace}/` : ''}${b.json.metadata?.name}`;
        const difference = firstDifference(a.json, b.json);
        const charts = a.chart === b.chart ? '' : ` (charts ${a.chart.node.path} and ${b.chart.node.path}, one cluster)`;
        if (difference === undefined) {
          warn(`[${b.api.node.path}] writes ${what} again, with the same content as [${a.api.node.path}]${charts}: the output holds it twice (kustomize refuses duplicate objects, Argo CD warns); write it once`);
          continue;
        }
        errors.push(`[${b.api.node.path}] writes ${what}, which [${a.api.node.path}] writes too, with different content${charts} (they differ at ${difference}): `
          + 'applied together, the one applied last replaces the other; write the object once: merge the two constructs, or give one of them another id or name '
          + '(construct ids that differ only in case, such as edge and Edge, give the same name)'
          + (a.chart === b.chart ? '' : "; for a MultiClusterExport, pass the chart that already holds the cluster's objects as the cluster's chart: so that they merge"));
      }
    }
    return errors;
  }
}

/** Whether two charts write into one cluster: charts of the same cluster, or a chart that names none. */
function sameCluster(a: Chart, b: Chart): boolean {
  const ca = CLUSTERS.get(a);
  const cb = CLUSTERS.get(b);
  return ca === undefined || cb === undefined || ca === cb;
}

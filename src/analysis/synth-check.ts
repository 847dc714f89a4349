import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { MeshAnalyzer } from './analyzer';
import { Severity } from './findings';

const ID = 'MeshAnalysis';

/** The context key that turns the synthesis-time analysis off. */
export const ANALYZE_CONTEXT = 'cdk8s-mesh:analyze';

/**
 * Runs the analyzer over everything a chart emits when it is synthesized (`app.synth()`,
 * `cdk8s synth`, `Testing.synth`). Errors fail synthesis with the construct path of the offending
 * object; warnings are printed. Every pattern construct attaches it to its chart.
 */
export class MeshAnalysis extends Construct {
  /** Attaches the analysis to the chart of `scope` (once per chart). */
  public static of(scope: Construct): MeshAnalysis {
    const chart = Chart.of(scope);
    return (chart.node.tryFindChild(ID) as MeshAnalysis | undefined) ?? new MeshAnalysis(chart, ID);
  }

  private constructor(scope: Chart, id: string) {
    super(scope, id);
    this.node.addValidation({ validate: () => this.analyze(scope) });
  }

  private analyze(chart: Chart): string[] {
    // app.node.setContext('cdk8s-mesh:analyze', false) turns it off, e.g. when the
    // validation plugin or a CI lint step analyzes the output anyway
    if (this.node.tryGetContext(ANALYZE_CONTEXT) === false || this.node.tryGetContext(ANALYZE_CONTEXT) === 'false') return [];
    const objects = chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c));
    const manifests = objects.map(o => o.toJson());
    const result = MeshAnalyzer.analyzeObjects(manifests, { defaultNamespace: chart.namespace });
    const errors: string[] = [];
    for (const f of result.findings) {
      const source = f.documentIndex !== undefined ? objects[f.documentIndex]?.node.path : undefined;
      const text = `${source ? `[${source}] ` : ''}${f.code} ${f.resource}${f.path ? `: ${f.path}` : ''}: ${f.message} [${f.upstream}]`;
      if (f.severity === Severity.ERROR) errors.push(text);
      else if (f.severity === Severity.WARNING) process.stderr.write(`[cdk8s-mesh] warning: ${text}\n`);
    }
    return errors;
  }
}

/**
 * A cdk8s-cli validation plugin: `cdk8s synth` runs the schema + CEL validator and the analyzer on
 * the synthesized manifests. In a user's cdk8s.yaml:
 *
 *   validations:
 *     - package: ./node_modules/cdk8s-mesh/lib/plugin.js
 *       version: 0.0.0
 *       class: MeshValidation
 *       properties:
 *         failOn: warning        # error (default) or warning
 */
import * as fs from 'fs';
import { MeshAnalyzer } from './analysis/analyzer';
import { Finding, Severity } from './analysis/findings';
import { ManifestValidator } from './analysis/validator';

interface Violation {
  readonly ruleName: string;
  readonly recommendation: string;
  readonly fix: string;
  readonly violatingResources: { resourceName: string; locations: string[]; manifestPath: string }[];
}

interface PluginContext {
  readonly manifests: readonly string[];
  readonly report: {
    addViolation(v: Violation): void;
    submit(status: 'success' | 'failure', metadata?: { [k: string]: string }): void;
  };
  readonly logger?: { log(message: string): void };
}

/** The plugin class named in cdk8s.yaml. */
export class MeshValidation {
  private readonly failOn: Severity;

  constructor(properties: { failOn?: string } = {}) {
    this.failOn = properties.failOn === 'warning' ? Severity.WARNING : Severity.ERROR;
  }

  public async validate(context: PluginContext): Promise<void> {
    const files = [...context.manifests];
    const findings: Finding[] = [
      ...files.flatMap(f => ManifestValidator.validateYaml(fs.readFileSync(f, 'utf8'), { fileName: f }).findings),
      ...MeshAnalyzer.analyzeFiles(files).findings,
    ].filter(f => f.severity === Severity.ERROR || (this.failOn === Severity.WARNING && f.severity === Severity.WARNING));
    const byCode = new Map<string, Finding[]>();
    for (const f of findings) byCode.set(f.code, [...(byCode.get(f.code) ?? []), f]);
    for (const [code, list] of byCode) {
      for (const f of list) {
        context.report.addViolation({
          ruleName: `${code}${f.upstream ? ` (${f.upstream})` : ''}`,
          recommendation: f.message,
          fix: 'see docs/findings.md and docs/validation.md of cdk8s-mesh',
          violatingResources: [{ resourceName: f.resource, locations: [f.path], manifestPath: f.file ?? '' }],
        });
      }
    }
    context.report.submit(findings.length ? 'failure' : 'success', { manifests: String(files.length), findings: String(findings.length) });
  }
}

/**
 * A cdk8s-cli validation plugin: `cdk8s synth` runs the schema + CEL validator and the analyzer on
 * the synthesized manifests. In a user's cdk8s.yaml:
 *
 *   validations:
 *     - package: cdk8s-mesh          # or a local path: ./node_modules/cdk8s-mesh
 *       version: 1.2.3               # the exact version (cdk8s-cli installs it into its plugin folder)
 *       class: MeshValidation
 *       properties:
 *         failOn: warning            # error (default) or warning
 */
import * as fs from 'fs';
import { MeshAnalyzer } from './analysis/analyzer';
import { Finding, Severity } from './analysis/findings';
import { ManifestValidator } from './analysis/validator';
import { docsUrl, findingUrl } from './private/docs-url';
import { meshError } from './private/errors';

/**
 * Properties of the validation plugin (the `properties` of its entry in cdk8s.yaml).
 */
export interface MeshValidationProps {
  /**
   * The lowest severity that fails the synthesis: `error` or `warning`.
   * @default 'error'
   */
  readonly failOn?: string;
}

/**
 * A resource that violates a rule, as cdk8s-cli reports it.
 */
export interface MeshViolatingResource {
  /**
   * The object's `metadata.name`: cdk8s-cli finds the construct path of the object by it (in the
   * construct metadata `cdk8s synth` writes).
   */
  readonly resourceName: string;
  /** The field paths inside the object. */
  readonly locations: string[];
  /** The manifest file. */
  readonly manifestPath: string;
}

/**
 * One violation, as cdk8s-cli reports it.
 */
export interface MeshValidationViolation {
  /** The finding's code (and the upstream rule it mirrors). */
  readonly ruleName: string;
  /** What is wrong and how to fix it, naming the object (`Kind namespace/name`). */
  readonly recommendation: string;
  /** Where the code is documented (a URL). */
  readonly fix: string;
  /** The objects. */
  readonly violatingResources: MeshViolatingResource[];
}

/**
 * The report of a validation run, as cdk8s-cli passes it to a plugin.
 */
export interface IMeshValidationReport {
  /** Adds a violation. */
  addViolation(violation: MeshValidationViolation): void;
  /** Submits the report: `success` or `failure`. */
  submit(status: string, metadata?: { [key: string]: string }): void;
}

/**
 * What cdk8s-cli passes to a validation plugin.
 */
export interface IMeshValidationContext {
  /** The manifest files `cdk8s synth` wrote. */
  readonly manifests: string[];
  /** The report to fill and submit. */
  readonly report: IMeshValidationReport;
}

/**
 * The cdk8s-cli validation plugin (`class: MeshValidation` in cdk8s.yaml): the schema + CEL validator
 * and the analyzer on the synthesized manifests. Violations are keyed by the object's name so that
 * cdk8s-cli shows the construct path.
 */
export class MeshValidation {
  private readonly failOn: Severity;

  constructor(properties: MeshValidationProps = {}) {
    const failOn = properties?.failOn;
    if (failOn !== undefined && failOn !== 'error' && failOn !== 'warning') {
      throw meshError(`cdk8s-mesh MeshValidation: properties.failOn: got ${JSON.stringify(failOn)}: not a severity; use error (the default) or warning`);
    }
    this.failOn = failOn === 'warning' ? Severity.WARNING : Severity.ERROR;
  }

  /** Validates and analyzes the manifests, adds a violation per finding at or above `failOn`, and submits. */
  public async validate(context: IMeshValidationContext): Promise<void> {
    const files = [...context.manifests];
    const findings: Finding[] = [
      ...files.flatMap(f => ManifestValidator.validateYaml(fs.readFileSync(f, 'utf8'), { fileName: f }).findings),
      ...MeshAnalyzer.analyzeFiles(files).findings,
    ].filter(f => f.severity === Severity.ERROR || (this.failOn === Severity.WARNING && f.severity === Severity.WARNING));
    for (const f of findings) {
      context.report.addViolation({
        ruleName: `${f.code}${f.upstream ? ` (${f.upstream})` : ''}`,
        recommendation: `${f.resource}${f.path ? ` ${f.path}` : ''}: ${f.message}`,
        fix: `${findingUrl(f.code)} (checks: ${docsUrl('validation.md')})`,
        violatingResources: [{ resourceName: nameOf(f.resource), locations: [f.path], manifestPath: f.file ?? '' }],
      });
    }
    context.report.submit(findings.length ? 'failure' : 'success', { manifests: String(files.length), findings: String(findings.length) });
  }
}

/** The `metadata.name` of a finding's resource (`Kind namespace/name` or `Kind name`). */
function nameOf(resource: string): string {
  const ref = resource.split(' ').slice(1).join(' ');
  return ref.includes('/') ? ref.slice(ref.indexOf('/') + 1) : ref;
}

import { Finding, Severity } from '../analysis/findings';
import { findingUrl } from '../private/docs-url';

/** A finding with its object's kind, namespace and name as fields (the JSON shape of every command). */
export interface ReportedFinding extends Finding {
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** The kind, namespace and name of a finding's resource (`Kind namespace/name` or `Kind name`). */
export function withObject(f: Finding): ReportedFinding {
  const [kind, ...rest] = f.resource.split(' ');
  const ref = rest.join(' ');
  if (!kind || !ref) return { ...f };
  const slash = ref.indexOf('/');
  return slash > 0 ? { ...f, kind, namespace: ref.slice(0, slash), name: ref.slice(slash + 1) } : { ...f, kind, name: ref };
}

/** Whether a finding fails the command at `failOn` (error: errors only; warning: warnings and errors). */
export function fails(f: Finding, failOn: Severity): boolean {
  return f.severity === Severity.ERROR || (failOn === Severity.WARNING && f.severity === Severity.WARNING);
}

/** SARIF 2.1.0 (GitHub code scanning and other SARIF viewers). */
export function sarif(command: string, version: string, findings: Finding[]): string {
  const level = (s: Severity) => (s === Severity.ERROR ? 'error' : s === Severity.WARNING ? 'warning' : 'note');
  const codes = [...new Set(findings.map(f => f.code))].sort();
  return JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: `cdk8s-mesh ${command}`, version, informationUri: 'https://github.com/cdk8s-mesh/cdk8s-mesh', rules: codes.map(id => ({ id, helpUri: findingUrl(id) })) } },
      results: findings.map(f => ({
        ruleId: f.code,
        level: level(f.severity),
        message: { text: `${f.resource}${f.path ? ` ${f.path}` : ''}: ${f.message}` },
        locations: [{
          ...(f.file ? { physicalLocation: { artifactLocation: { uri: f.file }, ...(f.line ? { region: { startLine: f.line } } : {}) } } : {}),
          logicalLocations: [{ fullyQualifiedName: `${f.resource}${f.path ? `:${f.path}` : ''}`, kind: 'resource' }],
        }],
      })),
    }],
  }, undefined, 2) + '\n';
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JUnit XML: one test case per finding that fails at `failOn` (and one passing case when none does). */
export function junit(command: string, documents: number, findings: Finding[], failOn: Severity): string {
  const failing = findings.filter(f => fails(f, failOn));
  const cases = failing.length
    ? failing.map(f => `    <testcase classname="cdk8s-mesh.${command}.${xml(f.code)}" name="${xml(`${f.resource}${f.path ? ` ${f.path}` : ''}`)}"${f.file ? ` file="${xml(f.file)}"` : ''}>\n`
      + `      <failure type="${xml(f.code)}" message="${xml(f.message)}">${xml(`${f.severity} ${f.code} ${f.file ?? ''}${f.line ? `:${f.line}` : ''}: ${f.message}`)}</failure>\n    </testcase>\n`).join('')
    : `    <testcase classname="cdk8s-mesh.${command}" name="${documents} documents"/>\n`;
  return '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n'
    + `  <testsuite name="cdk8s-mesh ${command}" tests="${failing.length || 1}" failures="${failing.length}" errors="0">\n${cases}  </testsuite>\n</testsuites>\n`;
}

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** GitHub Actions workflow commands: an annotation per finding (`::error file=...,line=...::message`). */
export function github(findings: Finding[]): string {
  return findings.map(f => {
    const command = f.severity === Severity.ERROR ? 'error' : f.severity === Severity.WARNING ? 'warning' : 'notice';
    const props = [f.file ? `file=${escapeProperty(f.file)}` : undefined, f.line ? `line=${f.line}` : undefined, `title=${escapeProperty(`${f.code} ${f.resource}`)}`]
      .filter(p => p !== undefined).join(',');
    return `::${command} ${props}::${escapeData(`${f.path ? `${f.path}: ` : ''}${f.message}`)}\n`;
  }).join('');
}

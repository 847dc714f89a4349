import * as fs from 'fs';
import { Finding, Severity } from './findings';
import { AnalysisContext, Doc } from './private/context';
import { DUPLICATE_PAIRS, duplicatePairs, isClusterScoped } from './private/duplicates';
import { expandPaths } from './private/files';
import { DocumentLines } from './private/lines';
import { formatPath } from './private/path';
import { AnalyzerRule } from './private/rule';
import { loadManifests, YamlReadError } from './private/yaml';
import { ENROLMENT_RULES } from './rules/enrolment';
import { KUBERNETES_RULES } from './rules/kubernetes';

/**
 * Options of the analyzer: the mesh-wide assumptions it cannot see in the manifests.
 */
export interface AnalyzerOptions {
  /**
   * Istio's root namespace (MeshConfig `rootNamespace`).
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * The mesh trust domain.
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * The cluster DNS domain.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * The namespace of objects that have none.
   * @default 'default'
   */
  readonly defaultNamespace?: string;
  /**
   * Whether Istio's auto mTLS is on (MeshConfig `enableAutoMtls`).
   * @default true
   */
  readonly autoMtls?: boolean;
  /**
   * Report only findings of this severity or worse.
   * @default Severity.INFO
   */
  readonly minSeverity?: Severity;
}

/**
 * Options of `MeshAnalyzer.analyzeYaml`.
 */
export interface AnalyzeYamlOptions extends AnalyzerOptions {
  /**
   * The file name to report in findings.
   * @default - none
   */
  readonly fileName?: string;
}

/**
 * A rule of the analyzer, as documented in docs/findings.md.
 */
export interface AnalyzerRuleInfo {
  /** The stable code, e.g. `I101`. */
  readonly code: string;
  /** Its severity. */
  readonly severity: Severity;
  /** istio, linkerd or consul; `any` for the rules on every manifest (objects defined twice). */
  readonly mesh: string;
  /** The kinds it reads. */
  readonly kinds: string[];
  /** What it finds. */
  readonly summary: string;
  /** The upstream rule it mirrors. */
  readonly upstream: string;
}

/**
 * The outcome of an analysis.
 */
export interface AnalysisResult {
  /** The findings, in document order. */
  readonly findings: Finding[];
  /** How many documents were read. */
  readonly documents: number;
  /** True when no finding is an error or a warning. */
  readonly clean: boolean;
  /**
   * The codes of the rules that read the manifests, sorted: those of the meshes present in them and those of every
   * manifest, at or above the minimum severity (`MeshAnalyzer.rules()` lists every rule).
   */
  readonly rules: string[];
}

/**
 * The rules of one mesh's module, loaded when manifests of that mesh are first analyzed: a lint of Istio manifests does
 * not compile the Linkerd and Consul rules, nor one of Linkerd manifests the Istio rules (issue 26: ~12 ms of start-up).
 */
const MESH_RULES: { readonly [mesh in 'istio' | 'linkerd' | 'consul']: () => AnalyzerRule[] } = {
  /* eslint-disable @typescript-eslint/no-require-imports */
  istio: () => (require('./rules/istio') as typeof import('./rules/istio')).ISTIO_RULES,
  linkerd: () => (require('./rules/linkerd') as typeof import('./rules/linkerd')).LINKERD_RULES,
  consul: () => (require('./rules/consul') as typeof import('./rules/consul')).CONSUL_RULES,
  /* eslint-enable @typescript-eslint/no-require-imports */
};

/** The rules, in the order they run: Istio's, Linkerd's, Consul's, then those of enrolment and Kubernetes (`only`: the meshes to load the rules of). */
function rulesOf(only?: Set<string>): AnalyzerRule[] {
  const meshes = (['istio', 'linkerd', 'consul'] as const).filter(m => !only || only.has(m));
  return [...meshes.flatMap(m => MESH_RULES[m]()), ...ENROLMENT_RULES, ...KUBERNETES_RULES];
}

const RANK: Record<Severity, number> = { [Severity.INFO]: 0, [Severity.WARNING]: 1, [Severity.ERROR]: 2 };

/** Per-resource opt-out: a comma-separated list of codes in this annotation. */
export const DISABLE_ANNOTATION = 'cdk8s-mesh.io/disable-rules';

/**
 * Cross-resource checks on a set of mesh manifests, in the manner of `istioctl analyze`, Kiali and the
 * Linkerd and Consul admission webhooks: subsets that do not exist, conflicting VirtualServices,
 * unreachable rules, mTLS that disagrees, malformed authorization, Linkerd Servers and policies that
 * Linkerd ignores, Consul splits and protocols Consul rejects. The meshes present in the manifests
 * decide which rules run. A resource opts out of rules with the `cdk8s-mesh.io/disable-rules`
 * annotation (`"I105,I110"`).
 *
 * @example
 * import { Testing } from 'cdk8s';
 * import { ManifestValidator, MeshAnalyzer } from 'cdk8s-mesh';
 *
 * const result = MeshAnalyzer.analyzeObjects(Testing.synth(chart));
 * for (const f of result.findings) console.log(ManifestValidator.formatFinding(f));
 */
export class MeshAnalyzer {
  /** Every rule, sorted by code. */
  public static rules(): AnalyzerRuleInfo[] {
    return rulesOf().map(r => ({ code: r.code, severity: r.severity, mesh: r.mesh, kinds: r.kinds, summary: r.summary, upstream: r.upstream }))
      .sort((a, b) => (a.code < b.code ? -1 : 1));
  }

  /** Analyzes manifest objects. */
  public static analyzeObjects(objects: any[], options: AnalyzerOptions = {}): AnalysisResult {
    const docs: Doc[] = objects.map((obj, index) => ({ obj, index, documentIndex: index })).filter(d => d.obj && typeof d.obj === 'object' && typeof d.obj.kind === 'string');
    return MeshAnalyzer.run(docs, objects.length, options, () => undefined);
  }

  /** Analyzes a stream of YAML documents. A parse error is one finding with its line. */
  public static analyzeYaml(text: string, options: AnalyzeYamlOptions = {}): AnalysisResult {
    return MeshAnalyzer.analyzeTexts([{ text, file: options.fileName }], options);
  }

  /** Analyzes files and folders together (rules see across files). */
  public static analyzeFiles(paths: string[], options: AnalyzerOptions = {}): AnalysisResult {
    return MeshAnalyzer.analyzeTexts(expandPaths(paths).map(file => ({ text: fs.readFileSync(file, 'utf8'), file })), options);
  }

  private static analyzeTexts(inputs: { text: string; file?: string }[], options: AnalyzerOptions): AnalysisResult {
    const docs: Doc[] = [];
    const parseErrors: Finding[] = [];
    const lines = new Map<string | undefined, () => DocumentLines>();
    let count = 0;
    for (const { text, file } of inputs) {
      let loaded: ReturnType<typeof loadManifests>;
      try {
        loaded = loadManifests(text, file);
      } catch (e) {
        if (!(e instanceof YamlReadError)) throw e;
        parseErrors.push({ code: 'YAML001', severity: Severity.ERROR, message: e.reason, resource: '', path: '', file, line: e.mark ? e.mark.line + 1 : undefined });
        continue;
      }
      let cached: DocumentLines | undefined;
      lines.set(file, () => (cached = cached ?? new DocumentLines(text)));
      for (const { obj, documentIndex, prefix } of loaded.documents) {
        if (obj && typeof obj === 'object' && typeof (obj as any).kind === 'string') docs.push({ obj, index: docs.length, file, documentIndex, prefix });
      }
      count += loaded.count;
    }
    const result = MeshAnalyzer.run(docs, count, options, (doc, p) => lines.get(doc.file)?.().lineOf(doc.documentIndex ?? 0, [...doc.prefix ?? [], ...p]));
    const findings = [...parseErrors, ...result.findings];
    return { findings, documents: count, clean: !findings.some(f => f.severity !== Severity.INFO), rules: result.rules };
  }

  private static run(docs: Doc[], count: number, options: AnalyzerOptions, lineOf: (doc: Doc, p: (string | number)[]) => number | undefined): AnalysisResult {
    const assumptions = {
      rootNamespace: options.rootNamespace ?? 'istio-system',
      trustDomain: options.trustDomain ?? 'cluster.local',
      clusterDomain: options.clusterDomain ?? 'cluster.local',
      defaultNamespace: options.defaultNamespace ?? 'default',
      autoMtls: options.autoMtls ?? true,
    };
    // the cluster stores one object per identity: the mesh rules read the first copy of an object defined
    // twice, and the rules of every mesh (K101, K102) report the other copies
    const pairs = duplicatePairs(docs, d => d.obj, assumptions.defaultNamespace);
    const again = new Set(pairs.map(p => p.again));
    const unique = pairs.length ? docs.filter(d => !again.has(d)) : docs;
    const ctx = new AnalysisContext(unique, assumptions);
    const allCtx = unique.length === docs.length ? ctx : new AnalysisContext(docs, assumptions);
    // found once here for K101 and K102 (on every manifest: allCtx's documents are `docs`)
    allCtx.memo(DUPLICATE_PAIRS, () => pairs);
    const meshes = new Set<string>();
    for (const d of docs) {
      const group = ctx.group(d.obj);
      if (group.endsWith('istio.io')) meshes.add('istio');
      if (group.endsWith('linkerd.io')) meshes.add('linkerd');
      if (group.endsWith('consul.hashicorp.com')) meshes.add('consul');
      // Istio ambient config may hold no Istio kind at all: enrolled namespaces, waypoints, HTTPRoutes
      if (d.obj?.kind === 'Namespace' && d.obj.metadata?.labels?.['istio.io/dataplane-mode'] === 'ambient') meshes.add('istio');
      if (d.obj?.kind === 'Gateway' && d.obj.spec?.gatewayClassName === 'istio-waypoint') meshes.add('istio');
    }
    const min = RANK[options.minSeverity ?? Severity.INFO];
    const findings: (Finding & { order: number })[] = [];
    const running = rulesOf(meshes).filter(rule => (rule.mesh === 'any' || meshes.has(rule.mesh)) && RANK[rule.severity] >= min);
    // (rules that share a walk do only the parts of the rules that run)
    ctx.running = allCtx.running = new Set(running.map(r => r.code));
    for (const rule of running) {
      let raws: ReturnType<AnalyzerRule['check']>;
      try {
        raws = rule.check(rule.mesh === 'any' ? allCtx : ctx);
      } catch (e) {
        // a rule met a shape it does not expect (hand-written YAML the schema check would reject): say so, never crash
        findings.push({ code: 'A000', severity: Severity.INFO, message: `rule ${rule.code} skipped: a ${rule.kinds.join('/')} has an unexpected shape (${(e as Error).message}); run cdk8s-mesh validate on it`, resource: '', path: '', upstream: rule.upstream, order: Number.MAX_SAFE_INTEGER });
        continue;
      }
      for (const raw of raws) {
        const disabled = String(raw.doc.obj.metadata?.annotations?.[DISABLE_ANNOTATION] ?? '').split(',').map(s => s.trim());
        if (disabled.includes(rule.code) || RANK[raw.severity ?? rule.severity] < min) continue;
        const o = raw.doc.obj;
        findings.push({
          code: rule.code,
          severity: raw.severity ?? rule.severity,
          message: raw.message,
          resource: `${o.kind} ${o.metadata?.namespace && !isClusterScoped(o) ? o.metadata.namespace + '/' : ''}${o.metadata?.name ?? '<no name>'}`,
          // an item of a kind: List is reported at its path in the list (items[3].spec...)
          path: formatPath([...raw.doc.prefix ?? [], ...raw.path]),
          file: raw.doc.file,
          documentIndex: raw.doc.documentIndex,
          line: raw.doc.file !== undefined || raw.doc.documentIndex !== undefined ? lineOf(raw.doc, raw.path) : undefined,
          upstream: raw.upstream ?? rule.upstream,
          order: raw.doc.index,
        });
      }
    }
    findings.sort((a, b) => a.order - b.order || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const out: Finding[] = findings.map(({ order: _order, ...f }) => f);
    return { findings: out, documents: count, clean: !out.some(f => f.severity !== Severity.INFO), rules: running.map(r => r.code).sort() };
  }
}

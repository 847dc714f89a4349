/**
 * Generates the L1 bindings (src/imports/) and the validation schemas (schemas/) from the pinned CRDs.
 *
 * Usage: npx projen import            (reads ../shared/crds)
 *        CRDS_DIR=/path npx projen import
 *
 * For every kind listed in KINDS it keeps the one served version we emit, strips `description`
 * fields, runs `cdk8s import` once per module and writes the kind's structural schema, with its
 * `x-kubernetes-validations` (CEL) rules, to schemas/<module>/<group>_<version>_<kind>.json.
 * Re-running it on unchanged CRDs changes nothing.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';

interface KindSpec {
  readonly module: string;
  readonly file: string;
  readonly group: string;
  readonly kind: string;
  readonly version: string;
}

const ISTIO = 'istio/crd-all.gen.yaml';
const GW = 'gateway-api/standard/gateway.networking.k8s.io_';

/** The kinds we emit, one served version each. Module = the jsii submodule that re-exports them. */
const KINDS: KindSpec[] = [
  ...['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar', 'WorkloadEntry'].map(kind =>
    ({ module: 'istio', file: ISTIO, group: 'networking.istio.io', kind, version: 'v1' })),
  { module: 'istio', file: ISTIO, group: 'networking.istio.io', kind: 'EnvoyFilter', version: 'v1alpha3' },
  ...['PeerAuthentication', 'AuthorizationPolicy', 'RequestAuthentication'].map(kind =>
    ({ module: 'istio', file: ISTIO, group: 'security.istio.io', kind, version: 'v1' })),
  { module: 'istio', file: ISTIO, group: 'telemetry.istio.io', kind: 'Telemetry', version: 'v1' },

  { module: 'gateway-api', file: `${GW}httproutes.yaml`, group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', version: 'v1' },
  { module: 'gateway-api', file: `${GW}grpcroutes.yaml`, group: 'gateway.networking.k8s.io', kind: 'GRPCRoute', version: 'v1' },
  { module: 'gateway-api', file: `${GW}gateways.yaml`, group: 'gateway.networking.k8s.io', kind: 'Gateway', version: 'v1' },
  { module: 'gateway-api', file: `${GW}gatewayclasses.yaml`, group: 'gateway.networking.k8s.io', kind: 'GatewayClass', version: 'v1' },
  { module: 'gateway-api', file: `${GW}referencegrants.yaml`, group: 'gateway.networking.k8s.io', kind: 'ReferenceGrant', version: 'v1' },
  { module: 'gateway-api', file: `${GW}tlsroutes.yaml`, group: 'gateway.networking.k8s.io', kind: 'TLSRoute', version: 'v1' },

  { module: 'linkerd', file: 'linkerd/policy/server.yaml', group: 'policy.linkerd.io', kind: 'Server', version: 'v1beta3' },
  { module: 'linkerd', file: 'linkerd/policy/authorization-policy.yaml', group: 'policy.linkerd.io', kind: 'AuthorizationPolicy', version: 'v1alpha1' },
  { module: 'linkerd', file: 'linkerd/policy/meshtls-authentication.yaml', group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', version: 'v1alpha1' },
  { module: 'linkerd', file: 'linkerd/policy/network-authentication.yaml', group: 'policy.linkerd.io', kind: 'NetworkAuthentication', version: 'v1alpha1' },
  { module: 'linkerd', file: 'linkerd/policy/httproute.yaml', group: 'policy.linkerd.io', kind: 'HTTPRoute', version: 'v1beta3' },
  { module: 'linkerd', file: 'linkerd/policy/http-local-ratelimit-policy.yaml', group: 'policy.linkerd.io', kind: 'HTTPLocalRateLimitPolicy', version: 'v1alpha1' },
  { module: 'linkerd', file: 'linkerd/policy/egress-network.yaml', group: 'policy.linkerd.io', kind: 'EgressNetwork', version: 'v1alpha1' },
  { module: 'linkerd', file: 'linkerd/serviceprofile.yaml', group: 'linkerd.io', kind: 'ServiceProfile', version: 'v1alpha2' },
  { module: 'linkerd', file: 'linkerd/multicluster/link-crd.yaml', group: 'multicluster.linkerd.io', kind: 'Link', version: 'v1alpha3' },
  // Linkerd's policy controller watches TLSRoute v1alpha2 only (policy-controller/k8s/api/src/lib.rs): the egress
  // TLSRoutes are written at that version, from the Gateway API CRDs Linkerd bundles
  { module: 'linkerd', file: 'linkerd/bundled-gateway-api/gateway.networking.k8s.io_tlsroutes.yaml', group: 'gateway.networking.k8s.io', kind: 'TLSRoute', version: 'v1alpha2' },

  ...[
    ['ServiceDefaults', 'servicedefaults'], ['ServiceResolver', 'serviceresolvers'], ['ServiceRouter', 'servicerouters'],
    ['ServiceSplitter', 'servicesplitters'], ['ServiceIntentions', 'serviceintentions'], ['ExportedServices', 'exportedservices-v1'],
    ['ProxyDefaults', 'proxydefaults'], ['Mesh', 'meshes'], ['SamenessGroup', 'samenessgroups'], ['JWTProvider', 'jwtproviders'],
    ['IngressGateway', 'ingressgateways'], ['TerminatingGateway', 'terminatinggateways'], ['GatewayPolicy', 'gatewaypolicies'],
  ].map(([kind, file]) => ({ module: 'consul', file: `consul/crd-${file}.yaml`, group: 'consul.hashicorp.com', kind, version: 'v1alpha1' })),

  { module: 'smi', file: 'smi/trafficsplit-crd.yaml', group: 'split.smi-spec.io', kind: 'TrafficSplit', version: 'v1alpha2' },
  { module: 'prometheus', file: 'prometheus-operator/monitoring.coreos.com_prometheusrules.yaml', group: 'monitoring.coreos.com', kind: 'PrometheusRule', version: 'v1' },
  { module: 'prometheus', file: 'prometheus-operator/monitoring.coreos.com_podmonitors.yaml', group: 'monitoring.coreos.com', kind: 'PodMonitor', version: 'v1' },

  // progressive-delivery controllers that CanaryRelease hands off to (delivery: CanaryDelivery.flagger() / .argoRollouts())
  ...['Canary', 'MetricTemplate'].map(kind => ({ module: 'flagger', file: 'flagger/crd.yaml', group: 'flagger.app', kind, version: 'v1beta1' })),
  { module: 'argo-rollouts', file: 'argo-rollouts/rollout-crd.yaml', group: 'argoproj.io', kind: 'Rollout', version: 'v1alpha1' },
  { module: 'argo-rollouts', file: 'argo-rollouts/analysis-template-crd.yaml', group: 'argoproj.io', kind: 'AnalysisTemplate', version: 'v1alpha1' },
];

const SCHEMA_COMBINATORS = ['allOf', 'anyOf', 'oneOf'];

/** Removes `description` from a schema node and every schema below it (never a property named "description"). */
export function stripDescriptions(schema: any): any {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const out: any = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description') continue;
    if (key === 'properties' || key === 'patternProperties' || key === 'definitions') {
      out[key] = Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, stripDescriptions(v)]));
    } else if (key === 'items' || key === 'additionalProperties' || key === 'not') {
      out[key] = Array.isArray(value) ? value.map(stripDescriptions) : stripDescriptions(value);
    } else if (SCHEMA_COMBINATORS.includes(key)) {
      out[key] = (value as any[]).map(stripDescriptions);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function countRules(schema: any): number {
  if (schema === null || typeof schema !== 'object') return 0;
  let n = 0;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'x-kubernetes-validations') n += (value as any[]).length;
    else if (typeof value === 'object') n += countRules(value);
  }
  return n;
}

/** What the import writes, computed without writing: the CRDs per module and the schema files. */
export function generate(crdsDir: string): { modules: Map<string, any[]>; schemaFiles: Map<string, string> } {
  const docsByFile = new Map<string, any[]>();
  const load = (file: string) => {
    if (!docsByFile.has(file)) {
      const text = fs.readFileSync(path.join(crdsDir, file), 'utf8');
      docsByFile.set(file, (yaml.loadAll(text) as any[]).filter(d => d && d.kind === 'CustomResourceDefinition'));
    }
    return docsByFile.get(file)!;
  };

  const modules = new Map<string, any[]>();
  const schemaFiles = new Map<string, string>();
  const index: Record<string, any> = {};
  for (const spec of KINDS) {
    const crd = load(spec.file).find(d => d.spec.group === spec.group && d.spec.names.kind === spec.kind);
    if (!crd) throw new Error(`${spec.file}: no CRD for ${spec.group} ${spec.kind}`);
    const version = (crd.spec.versions as any[]).find(v => v.name === spec.version);
    if (!version) throw new Error(`${spec.file}: ${spec.kind} has no version ${spec.version}`);
    if (!version.served) throw new Error(`${spec.file}: ${spec.kind} ${spec.version} is not served`);
    const schema = stripDescriptions(version.schema.openAPIV3Schema);

    const trimmed = {
      apiVersion: crd.apiVersion,
      kind: crd.kind,
      metadata: { name: crd.metadata.name },
      spec: {
        group: crd.spec.group,
        names: crd.spec.names,
        scope: crd.spec.scope,
        versions: [{ name: version.name, served: true, storage: true, schema: { openAPIV3Schema: schema } }],
      },
    };
    if (!modules.has(spec.module)) modules.set(spec.module, []);
    modules.get(spec.module)!.push(trimmed);

    const apiVersion = `${spec.group}/${spec.version}`;
    const schemaFile = `${spec.module}/${spec.group}_${spec.version}_${spec.kind}.json`;
    schemaFiles.set(schemaFile, JSON.stringify({ apiVersion, kind: spec.kind, scope: crd.spec.scope, source: spec.file, schema }) + '\n');
    index[`${apiVersion}/${spec.kind}`] = { file: schemaFile, module: spec.module, celRules: countRules(schema) };
  }
  schemaFiles.set('index.json', JSON.stringify(index, undefined, 1) + '\n');
  return { modules, schemaFiles };
}

/** The folder of the pinned CRDs: CRDS_DIR, or ../shared/crds beside the checkout. */
export function crdsDirectory(): string {
  return path.resolve(process.env.CRDS_DIR ?? path.join(__dirname, '..', '..', 'shared', 'crds'));
}

function main() {
  const root = path.resolve(__dirname, '..');
  const crdsDir = crdsDirectory();
  if (!fs.existsSync(crdsDir)) {
    throw new Error(`CRD folder not found: ${crdsDir} (set CRDS_DIR to the folder that holds the pinned CRDs)`);
  }
  const importsDir = path.join(root, 'src', 'imports');
  const schemasDir = path.join(root, 'schemas');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-import-'));
  const { modules, schemaFiles } = generate(crdsDir);

  fs.rmSync(schemasDir, { recursive: true, force: true });
  for (const [file, content] of schemaFiles) {
    fs.mkdirSync(path.dirname(path.join(schemasDir, file)), { recursive: true });
    fs.writeFileSync(path.join(schemasDir, file), content);
  }

  fs.rmSync(importsDir, { recursive: true, force: true });
  fs.mkdirSync(importsDir, { recursive: true });
  for (const [module, crds] of modules) {
    const file = path.join(tmp, `${module}.yaml`);
    fs.writeFileSync(file, crds.map(c => yaml.dump(c, { noRefs: true, lineWidth: -1 })).join('---\n'));
    execFileSync(process.execPath, [
      path.join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'import', `${module}:=${file}`,
      '--output', importsDir, '--language', 'typescript', '--no-check-upgrade', '--no-save',
    ], { stdio: ['ignore', 'ignore', 'inherit'], cwd: tmp, env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' } });
    process.stdout.write(`imported ${module}: ${crds.map(c => c.spec.names.kind).join(', ')}\n`);
    // one aggregate module per mesh, re-exported by src/index.ts as a jsii submodule
    const groups = [...new Set(crds.map(c => c.spec.group as string))].sort();
    fs.writeFileSync(path.join(importsDir, `${module}.ts`), '// generated by scripts/import-crds.ts\n'
      + groups.map(g => `export * from './${module}-${g}';\n`).join(''));
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}

if (require.main === module) main();

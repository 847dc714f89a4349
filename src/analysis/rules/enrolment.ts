import { Severity } from '../findings';
import { AnalysisContext, Doc, RawFinding, selects } from '../private/context';
import { enrolmentStep, namespaceEnrolled, podEnrolled, WorkloadFacts, workloadsOf } from '../private/enrolment';
import { AnalyzerRule, arr, at } from '../private/rule';

const E = Severity.ERROR;
const W = Severity.WARNING;

function workloads(ctx: AnalysisContext): WorkloadFacts[] {
  return workloadsOf(ctx.docs.map(d => d.obj), o => ctx.ns(o));
}

function label(w: WorkloadFacts): string {
  return `${w.kind} ${w.ns}/${w.name}`;
}

/** Why a Namespace object enrols nothing, for messages. */
function namespaceWhy(mesh: 'istio' | 'linkerd', nsObj: any, what: string): string {
  const labels = nsObj.metadata?.labels ?? {};
  const inject = mesh === 'istio' ? labels['istio-injection'] : nsObj.metadata?.annotations?.['linkerd.io/inject'];
  if (inject === undefined) return `its Namespace carries no ${what}`;
  const key = mesh === 'istio' ? 'istio-injection' : 'linkerd.io/inject';
  return `its Namespace carries ${key}: ${inject}${mesh === 'istio' && labels['istio.io/rev'] !== undefined ? ', which Istio\'s injector reads before istio.io/rev' : ''}`;
}

/**
 * One finding per namespace that holds mesh objects for its workloads but enrols none: an error when its
 * Namespace object is among the manifests without the label, a warning when the Namespace is managed
 * elsewhere and none of the namespace's pod templates here is injected. Nothing when neither the
 * Namespace nor a workload of the namespace is among the manifests (the analyzer cannot tell).
 */
function namespaceRule(ctx: AnalysisContext, mesh: 'istio' | 'linkerd', docs: Doc[], what: string): RawFinding[] {
  const byNs = new Map<string, Doc[]>();
  for (const d of docs) {
    const ns = ctx.ns(d.obj);
    if (mesh === 'istio' && ns === ctx.assumptions.rootNamespace) continue;
    if (!byNs.has(ns)) byNs.set(ns, []);
    byNs.get(ns)!.push(d);
  }
  const all = workloads(ctx);
  const out: RawFinding[] = [];
  for (const [ns, objs] of byNs) {
    const nsObj = ctx.namespaceObject(ns);
    if (namespaceEnrolled(mesh, nsObj)) continue;
    const here = all.filter(w => w.ns === ns);
    if (here.some(w => podEnrolled(mesh, nsObj, w))) continue;
    const kinds = [...new Set(objs.map(d => d.obj.kind))].sort().join(', ');
    if (nsObj) {
      out.push({
        ...at(objs[0], ['metadata', 'namespace'],
          `namespace ${ns} is not enrolled in the mesh (${namespaceWhy(mesh, nsObj, what)}) and no pod template here is injected: the ${objs.length} object(s) of the namespace (${kinds}) apply to no pod, so its policies enforce nothing; ${enrolmentStep(mesh, ns)}`),
        severity: E,
      });
    } else if (here.length) {
      out.push({
        ...at(objs[0], ['metadata', 'namespace'],
          `the Namespace ${ns} is not among the manifests, and none of its pod templates here (${here.map(label).join(', ')}) is injected: unless the namespace carries ${what}, the ${objs.length} object(s) of the namespace (${kinds}) apply to no pod; ${enrolmentStep(mesh, ns)} where the namespace is managed`),
        severity: W,
      });
    }
  }
  return out;
}

const ISTIO_KINDS = ['AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication', 'Sidecar', 'EnvoyFilter', 'Telemetry', 'VirtualService', 'DestinationRule'];
const LINKERD_KINDS = ['Server', 'AuthorizationPolicy', 'ServerAuthorization', 'HTTPRoute'];
const CONSUL_KINDS = ['ServiceDefaults', 'ServiceRouter', 'ServiceSplitter', 'ServiceResolver', 'ServiceIntentions'];

export const ENROLMENT_RULES: AnalyzerRule[] = [
  {
    code: 'I190',
    severity: E,
    mesh: 'istio',
    kinds: [...ISTIO_KINDS, 'Namespace', 'Deployment'],
    upstream: 'IST0102 NamespaceNotInjected (Info there: istioctl sees the whole cluster, where most uninjected namespaces hold no mesh policy; here the namespace holds policies that nothing enforces); istiod injection webhooks (istio-discovery templates/mutatingwebhook.yaml)',
    summary: 'Istio objects for the workloads of a namespace that is not enrolled (no istio-injection: enabled, istio.io/rev or ambient label) and has no injected pod template (error when the Namespace is among the manifests; warning when only its workloads are)',
    check: ctx => namespaceRule(ctx, 'istio', ISTIO_KINDS.flatMap(k => ctx.ofKind(k, 'istio.io'))
      // a VirtualService bound only to gateways is applied by the gateway, not by the namespace's pods
      .filter(d => d.obj.kind !== 'VirtualService' || !arr(d.obj.spec?.gateways).length || arr(d.obj.spec?.gateways).includes('mesh')),
    'istio-injection: enabled, istio.io/rev or istio.io/dataplane-mode: ambient'),
  },
  {
    code: 'L190',
    severity: E,
    mesh: 'linkerd',
    kinds: [...LINKERD_KINDS, 'Namespace', 'Deployment'],
    upstream: 'linkerd2 proxy-injector: linkerd.io/inject on the namespace or pod (pkg/inject/report.go); linkerd check --proxy',
    summary: 'Linkerd Servers, policies or routes for the workloads of a namespace without linkerd.io/inject: enabled and with no injected pod template (error when the Namespace is among the manifests; warning when only its workloads are)',
    check: ctx => namespaceRule(ctx, 'linkerd', [
      ...['Server', 'AuthorizationPolicy', 'ServerAuthorization', 'HTTPRoute'].flatMap(k => ctx.ofKind(k, 'linkerd.io')),
      // Gateway API routes attached to a Service or Server (mesh routes, not ingress routes)
      ...['HTTPRoute', 'GRPCRoute'].flatMap(k => ctx.ofKind(k, 'gateway.networking.k8s.io'))
        .filter(d => arr(d.obj.spec?.parentRefs).some((p: any) => p?.kind === 'Service' || p?.kind === 'Server')),
    ], 'linkerd.io/inject: enabled'),
  },
  {
    code: 'C190',
    severity: E,
    mesh: 'consul',
    kinds: [...CONSUL_KINDS, 'Service', 'Deployment'],
    upstream: 'consul-k8s connect-inject webhook: connect-inject annotation, connectInject.default, service account token mount (mesh_webhook.go)',
    summary: 'Consul config entries for a service whose workloads here carry no consul.hashicorp.com/connect-inject: "true" (error when they opt out, warning otherwise), or whose injected pods mount no service account token',
    check: ctx => {
      const all = workloads(ctx);
      const seen = new Set<string>();
      const out: RawFinding[] = [];
      for (const d of CONSUL_KINDS.flatMap(k => ctx.ofKind(k, 'consul.hashicorp.com'))) {
        const ns = ctx.ns(d.obj);
        const name = d.obj.kind === 'ServiceIntentions' ? d.obj.spec?.destination?.name : d.obj.metadata?.name;
        if (typeof name !== 'string' || name === '*' || seen.has(`${ns}/${name}`)) continue;
        seen.add(`${ns}/${name}`);
        const svc = ctx.service(ns, name);
        const selector = svc?.spec?.selector;
        const pods = all.filter(w => w.ns === ns && (selector && typeof selector === 'object' && Object.keys(selector).length
          ? selects(selector, w.labels)
          : String(w.annotations['consul.hashicorp.com/connect-service'] ?? '').split(',').map(s => s.trim()).includes(name) || w.labels.app === name));
        if (!pods.length) continue;
        const injected = pods.filter(w => podEnrolled('consul', undefined, w));
        if (!injected.length) {
          const optOut = pods.some(w => w.annotations['consul.hashicorp.com/connect-inject'] === 'false');
          out.push({
            ...at(d, ['metadata', 'name'], optOut
              ? `the pods of service ${name} (${pods.map(label).join(', ')}) opt out of injection (consul.hashicorp.com/connect-inject: "false"): this ${d.obj.kind} and the other config entries of ${name} apply to no proxy; remove the opt-out`
              : `no pod template of service ${name} (${pods.map(label).join(', ')}) carries consul.hashicorp.com/connect-inject: "true", and Consul's Helm default (connectInject.default: false) injects only annotated pods: this ${d.obj.kind} and the other config entries of ${name} apply to no proxy; ${enrolmentStep('consul', ns)}`),
            severity: optOut ? E : W,
          });
        }
        for (const w of injected.filter(x => x.automount === false)) {
          out.push({
            ...at(ctx.docs.find(x => x.obj === w.obj)!, [...(w.kind === 'Pod' ? [] : ['spec', 'template']), 'spec', 'automountServiceAccountToken'],
              `${label(w)} is injected for service ${name} but mounts no service account token: with ACLs on, consul-k8s logs the dataplane in with that token and refuses to inject the pod ("unable to find service account token volumeMount"); set automountServiceAccountToken: true`),
            severity: W,
          });
        }
      }
      return out;
    },
  },
];

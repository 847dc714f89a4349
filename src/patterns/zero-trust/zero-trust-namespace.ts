import { Construct, IConstruct } from 'constructs';
import { GrpcMethodIntent, RuleIntent, ZERO_TRUST_OWNED, ZeroTrustIntent, ZeroTrustOwnedSetting } from './intent';
import { MtlsException, MtlsExceptionMode, MtlsPhase } from './props';
import { Identity, IdentityKind } from '../../model/identity';
import { JwtAuthentication } from '../../model/jwt';
import { GrpcMethodMatch, HttpMethod, MatchType, PathMatch } from '../../model/matches';
import { Mesh } from '../../model/mesh';
import { ServiceProtocol, ServiceRef } from '../../model/service';
import { UnsupportedSettings } from '../../model/unsupported';
import { droppedEntries } from '../../private/dropped';
import { ProblemList } from '../../private/errors';
import { checkJwksUri, dns1123LabelProblem, isDns1123Label, jwtProviderName } from '../../private/names';
import { MeshConstruct } from '../mesh-construct';

export * from './props';
import { rendererFor } from '../renderers';

/**
 * Which callers may (or may not) call a service, with which methods and paths.
 */
export interface AccessRule {
  /**
   * The rule's name (a DNS-1123 label), used for object names and in reachability reasons.
   * @default - `<service>-from-<first caller>`
   */
  readonly name?: string;
  /** The callers (any of them). Never empty, never a wildcard. */
  readonly callers: Identity[];
  /** The service being called. */
  readonly to: ServiceRef;
  /**
   * The methods (any of them).
   * @default - every method
   */
  readonly methods?: HttpMethod[];
  /**
   * The paths, exact or prefix (any of them).
   * @default - every path
   */
  readonly paths?: PathMatch[];
  /**
   * The gRPC services and methods (any of them), for a service port of `ServiceProtocol.GRPC`, instead of
   * `methods` and `paths`: on Linkerd written as GRPCRoutes on the port's Server, on Istio and Consul as the
   * requests' paths (`/<service>/<method>`, or every path under `/<service>`).
   * @default - every service and method
   */
  readonly grpcMethods?: GrpcMethodMatch[];
  /**
   * Requests must also carry a valid JWT from the namespace's `jwt` issuer (not on Linkerd).
   * @default false
   */
  readonly requireJwt?: boolean;
}

/**
 * Props of a ZeroTrustNamespace.
 */
export interface ZeroTrustNamespaceProps {
  /** The mesh to write configuration for. */
  readonly mesh: Mesh;
  /**
   * The namespace.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * The mTLS phase.
   * @default MtlsPhase.STRICT
   */
  readonly mtls?: MtlsPhase;
  /**
   * Ports exempt from the mTLS phase, each with its reason.
   * @default - none
   */
  readonly mtlsExceptions?: MtlsException[];
  /**
   * Who may call what. Everything else is denied.
   */
  readonly allow: AccessRule[];
  /**
   * Requests denied even when an allow rule matches (Istio and Consul only).
   * @default - none
   */
  readonly deny?: AccessRule[];
  /**
   * JWT request authentication, for allow rules with `requireJwt`.
   * @default - none
   */
  readonly jwt?: JwtAuthentication;
  /**
   * Linkerd only: the Namespace object to annotate with the default inbound policy: a `Namespace` of
   * any cdk8s-plus 2.x package, an imported `KubeNamespace` or an `ApiObject` of kind `Namespace`
   * (typed `IConstruct` so that any cdk8s-plus version's class is accepted).
   * @default - a Namespace object is written
   */
  readonly namespaceObject?: IConstruct;
  /**
   * What to do with settings the mesh cannot express: fail, or leave them out with a warning and a
   * `cdk8s-mesh.io/dropped-settings` annotation on the objects this pattern writes. Access rules are always refused (leaving one out would admit or refuse other callers than written); only `jwt.forwardOriginalToken` can be left out.
   * @default UnsupportedSettings.FAIL
   */
  readonly unsupportedSettings?: UnsupportedSettings;
}

/**
 * A zero-trust namespace: mTLS (PERMISSIVE, then STRICT), default deny, and named callers allowed
 * to call named services with chosen methods and paths; optional deny rules and JWT. Written for
 * Istio, Linkerd or Consul; `ReachabilityMatrix` reads the result back to answer who may call whom.
 *
 * @example
 * import { HttpMethod, Identity, Mesh, PathMatch, ServiceRef, ZeroTrustNamespace } from 'cdk8s-mesh';
 *
 * new ZeroTrustNamespace(chart, 'zero-trust', {
 *   mesh: Mesh.istio(),
 *   allow: [{
 *     callers: [Identity.serviceAccount('order')],
 *     to: ServiceRef.fromName('payment', { port: 8080 }),
 *     methods: [HttpMethod.POST],
 *     paths: [PathMatch.exact('/process-payment')],
 *   }],
 * });
 */
export class ZeroTrustNamespace extends MeshConstruct {
  /** The namespace. */
  public readonly namespace: string;
  /** The mTLS phase. */
  public readonly mtls: MtlsPhase;

  constructor(scope: Construct, id: string, props: ZeroTrustNamespaceProps) {
    super(scope, id, props?.mesh);
    const renderer = rendererFor(this, this.mesh, 'zeroTrust');
    const problems = new ProblemList(this);
    const namespace = this._resolveNamespace(problems, props.namespace, 'a zero-trust namespace');
    problems.throwIfAny();
    this.namespace = namespace!;
    this.mtls = props.mtls ?? MtlsPhase.STRICT;
    if (!Object.values(MtlsPhase).includes(this.mtls)) problems.add('mtls', this.mtls, 'not an mTLS phase', 'use MtlsPhase.PERMISSIVE or MtlsPhase.STRICT');

    const exceptions = (props.mtlsExceptions ?? []).map((e, i) => {
      const prop = `mtlsExceptions[${i}]`;
      if (!(e?.service instanceof ServiceRef)) {
        problems.add(`${prop}.service`, e?.service, 'a service reference is required', "use ServiceRef.fromName('legacy', { port: 8080 })");
      } else {
        for (const p of e.service._problems(`${prop}.service`)) problems.addRaw(p);
        this.ownNamespace(problems, `${prop}.service`, e.service, 'this exception');
      }
      if (!Number.isInteger(e?.port) || e.port < 1 || e.port > 65535) problems.add(`${prop}.port`, e?.port, 'a port is a whole number from 1 to 65535', 'give the pod port, e.g. 9090');
      if (!Object.values(MtlsExceptionMode).includes(e?.mode)) problems.add(`${prop}.mode`, e?.mode, 'not an exception mode', 'use MtlsExceptionMode.PERMISSIVE');
      if (typeof e?.reason !== 'string' || e.reason.trim().length < 3) problems.add(`${prop}.reason`, e?.reason, 'every exception states its reason', "e.g. reason: 'Prometheus scrapes /metrics from outside the mesh'");
      return e;
    });
    if (!Array.isArray(props.allow)) problems.add('allow', props.allow, 'a zero-trust namespace lists who may call what', 'pass allow: [{ callers: [...], to: ..., methods, paths }] (an empty list denies everything)');
    problems.throwIfAny();

    const names = new Set<string>();
    const allow = props.allow.map((r, i) => this.rule(problems, `allow[${i}]`, r, names));
    const deny = (props.deny ?? []).map((r, i) => this.rule(problems, `deny[${i}]`, r, names));
    (props.deny ?? []).forEach((r, i) => {
      if (r?.requireJwt) problems.add(`deny[${i}].requireJwt`, true, 'requireJwt applies to allow rules', 'remove it from the deny rule');
    });

    let jwt: ZeroTrustIntent['jwt'];
    if (props.jwt) {
      const j = props.jwt;
      checkJwksUri(problems, j);
      if (typeof j.issuer !== 'string' || !j.issuer) problems.add('jwt.issuer', j.issuer, 'the issuer is required', "e.g. 'https://auth.example.com'");
      const providerName = jwtProviderName(j.issuer, j.providerName);
      // a name given is checked on every mesh (an app may be synthesized for several); the one derived from the
      // issuer's host only where it is written, as the name of Consul's JWTProvider (the other meshes ignore it)
      if (!isDns1123Label(providerName) && (j.providerName !== undefined || this.mesh.kind === 'consul')) {
        problems.add('jwt.providerName', providerName, dns1123LabelProblem(j.providerName === undefined ? "a provider name (by default the issuer's host)" : 'a provider name'), "set providerName: 'auth'");
      }
      jwt = { ...j, providerName };
    } else if (allow.some(r => r.requireJwt)) {
      const i = allow.findIndex(r => r.requireJwt);
      problems.add(`allow[${i}].requireJwt`, true, 'no JWT issuer is configured', 'set jwt: { issuer, jwksUri }');
    }
    // the mesh's warnings and own checks, with the JWT's (e.g. jwt.consulJwksCaFile: Consul checks the path, the other
    // meshes refuse it); the rules may still have problems of their own, thrown together with these
    const checked: ZeroTrustIntent = { namespace: this.namespace, phase: this.mtls, exceptions, jwt, namespaceObject: props.namespaceObject, allow, deny };
    // (a mesh-owned setting the renderer does not read, ZERO_TRUST_OWNED, is refused here in the mesh's name)
    const owned = this._refuseOwned<ZeroTrustNamespaceProps, ZeroTrustIntent, ZeroTrustOwnedSetting>(problems, ZERO_TRUST_OWNED, renderer.reads, checked);
    this._askMesh(problems, renderer, checked);
    problems.throwIfAny();

    // STRICT mTLS refuses callers outside the mesh, unless their target's port is an exception
    if (this.mtls === MtlsPhase.STRICT) {
      allow.forEach(r => {
        for (const caller of r.from.filter(f => f.outsideMesh)) {
          const exempt = exceptions.some(e => e.service.name === r.to.name && e.port === r.to.targetPort);
          if (!exempt) {
            problems.add(`${r.source}.callers`, caller._label(this.namespace), `${caller._label(this.namespace)} is outside the mesh and cannot present an mTLS identity, so STRICT mTLS would refuse it on ${r.to.name}`,
              `stay in MtlsPhase.PERMISSIVE until it joins the mesh, or add an mtlsExceptions entry for ${r.to.name} port ${r.to.targetPort} with its reason`);
          }
        }
      });
    }
    for (const r of deny) {
      if ((r.methods || r.paths) && r.to.protocol === ServiceProtocol.TCP) {
        this._warn(`${r.source}: deny rules with methods or paths on ${r.to.name}, which speaks TCP, deny all of its TCP traffic from these callers (the HTTP attributes cannot be checked)`);
      }
    }
    problems.throwIfAny();

    // the order of rules has no meaning (any matching allow rule allows): sort them, so that the output does not depend on it
    const byTarget = (a: RuleIntent, b: RuleIntent) => (a.to.name + '\u0000' + a.name < b.to.name + '\u0000' + b.name ? -1 : 1);
    const intent: ZeroTrustIntent = { ...checked, allow: [...allow].sort(byTarget), deny: [...deny].sort(byTarget) };
    // access rules are never dropped: the renderers keep their refusals (ACCESS_RULES_KEEP) but those they never
    // read (Consul's jwt.forwardOriginalToken, which only Istio's reads)
    const drop = props.unsupportedSettings === UnsupportedSettings.DROP_WITH_WARNING;
    const dropped = this._handleUnsupported(problems, [...renderer.unsupported(intent, this._renderContext()), ...owned], drop);
    if (this.mtls === MtlsPhase.PERMISSIVE) {
      this._warn(`mTLS is PERMISSIVE in ${this.namespace}: plaintext is still accepted; move to MtlsPhase.STRICT once every caller is in the mesh`);
    }
    // the namespace is the pattern's own: its Namespace object is written if none is given or in the chart
    const rules = [...allow, ...deny];
    const own = rules.filter(r => r.to._namespaceFrom(this) === this.namespace);
    this._enrol(this.namespace, {
      namespaceObject: props.namespaceObject, owned: true, workloads: own.map(r => r.to._workload()), services: own.map(r => r.to),
    });
    this._enrolServices(rules.map(r => r.to).filter(s => s._namespaceFrom(this) !== this.namespace));
    renderer.render(this, intent, this._renderContext(dropped));
    // the settings the renderer notes on the object they would have been written to are not noted here
    const context = this._renderContext();
    const rest = dropped === undefined ? [] : droppedEntries(dropped).filter(e => !renderer.notesOwn?.(e.split('=')[0], context));
    this._markDropped(rest.length ? rest.join(', ') : undefined);
  }

  /**
   * Refuses a service of another namespace: every mesh's policy applies to the namespace it is written in
   * (Istio AuthorizationPolicy and PeerAuthentication selectors, Linkerd Servers, Consul intentions by
   * destination name), and the policies are written in this one, so they would protect this namespace's
   * Service of the same name and leave the named one as it was.
   */
  private ownNamespace(problems: ProblemList, prop: string, service: ServiceRef, what: string): void {
    if (service.namespace === undefined || service.namespace === this.namespace) return;
    problems.add(prop, `${service.namespace}/${service.name}`,
      `a ZeroTrustNamespace protects its own namespace (${this.namespace}): its policies are written there and select ${this.namespace}'s workloads, so ${what} would apply to ${this.namespace}/${service.name}, not to ${service.namespace}/${service.name}`,
      `write a ZeroTrustNamespace with namespace: '${service.namespace}' for ${service.namespace}/${service.name} (callers from ${this.namespace} are named there with Identity.serviceAccount('<name>', { namespace: '${this.namespace}' }))`);
  }

  /**
   * A rule's gRPC methods, deduplicated: for a gRPC port only, never with methods or paths. Linkerd writes them as
   * GRPCRoutes, Istio and Consul as the paths of the requests (a gRPC request is POST /<service>/<method>: requestPaths).
   */
  private grpcMethods(problems: ProblemList, prop: string, r: AccessRule): GrpcMethodIntent[] | undefined {
    if (r?.grpcMethods === undefined) return undefined;
    if (!Array.isArray(r.grpcMethods) || !r.grpcMethods.length) {
      problems.add(`${prop}.grpcMethods`, r.grpcMethods, 'an empty gRPC method list matches nothing', 'leave grpcMethods out to allow every gRPC method');
      return undefined;
    }
    const shown = r.grpcMethods.map(g => (g instanceof GrpcMethodMatch ? `${g.serviceName}/${g.methodName ?? '*'}` : g));
    const out = new Map<string, GrpcMethodIntent>();
    r.grpcMethods.forEach((g, j) => {
      const problem = g instanceof GrpcMethodMatch ? g._problem() : 'not a GrpcMethodMatch';
      if (problem) problems.add(`${prop}.grpcMethods[${j}]`, shown[j], problem, "use GrpcMethodMatch.method('shop.payment.v1.Payment', 'Charge') or GrpcMethodMatch.service('shop.payment.v1.Payment')");
      else out.set(shown[j] as string, { service: g.serviceName, ...(g.methodName !== undefined ? { method: g.methodName } : {}) });
    });
    if (r.methods || r.paths) {
      problems.add(`${prop}.grpcMethods`, shown, 'a rule names gRPC methods or HTTP methods and paths, not both', 'leave methods and paths out of a rule with grpcMethods');
    }
    if (r.to instanceof ServiceRef && r.to.protocol !== ServiceProtocol.GRPC) {
      problems.add(`${prop}.grpcMethods`, shown, `${r.to.name} port ${r.to.targetPort} is declared ${r.to.protocol}, not gRPC`,
        `declare the port gRPC (ServiceRef.fromName('${r.to.name}', { ..., protocol: ServiceProtocol.GRPC })), or use methods and paths for an HTTP port`);
    }
    return [...out.values()];
  }

  private rule(problems: ProblemList, prop: string, r: AccessRule, names: Set<string>): RuleIntent {
    if (!(r?.to instanceof ServiceRef)) {
      problems.add(`${prop}.to`, r?.to, 'a service reference is required', "use ServiceRef.fromName('payment', { port: 8080 })");
    } else {
      for (const p of r.to._problems(`${prop}.to`)) problems.addRaw(p);
      this.ownNamespace(problems, `${prop}.to`, r.to, 'this rule');
    }
    if (!Array.isArray(r?.callers) || r.callers.length === 0) {
      problems.add(`${prop}.callers`, r?.callers, 'a rule must name its callers: an empty `callers` would match every caller', "list identities, e.g. callers: [Identity.serviceAccount('order')]");
    } else {
      r.callers.forEach((id, j) => {
        const problem = id instanceof Identity ? id._problem() : 'not an Identity';
        if (problem) problems.add(`${prop}.callers[${j}]`, id instanceof Identity ? id.name : id, problem, "use Identity.serviceAccount('order') or Identity.fromServiceAccount(sa)");
      });
    }
    (r?.methods ?? []).forEach((m, j) => {
      if (!Object.values(HttpMethod).includes(m)) problems.add(`${prop}.methods[${j}]`, m, 'not an HTTP method', 'use HttpMethod.GET, HttpMethod.POST, ...');
    });
    if (r?.methods && !r.methods.length) problems.add(`${prop}.methods`, [], 'an empty method list matches nothing', 'leave methods out to allow every method');
    const paths = (r?.paths ?? []).map((p, j) => {
      if (!(p instanceof PathMatch)) {
        problems.add(`${prop}.paths[${j}]`, p, 'not a PathMatch', "use PathMatch.exact('/process-payment') or PathMatch.prefix('/api')");
        return undefined;
      }
      const problem = p._problem() ?? (p.type === MatchType.REGEX ? 'authorization paths are exact or prefix matches (regular expressions are not supported by Istio or Linkerd authorization)' : undefined);
      if (problem) problems.add(`${prop}.paths[${j}]`, p.value, problem, "use PathMatch.exact('/process-payment') or PathMatch.prefix('/api')");
      return { type: p.type, value: p.value };
    }).filter((p): p is { type: MatchType; value: string } => p !== undefined);
    if (r?.paths && !r.paths.length) problems.add(`${prop}.paths`, [], 'an empty path list matches nothing', 'leave paths out to allow every path');
    const grpcMethods = this.grpcMethods(problems, prop, r);
    const first = r?.callers?.[0];
    const defaultName = r?.to instanceof ServiceRef && first instanceof Identity
      ? `${r.to.name}-from-${first.kind === IdentityKind.NETWORK ? 'network' : first.name}`.slice(0, 63).replace(/[^a-z0-9-]/g, '-').replace(/-+$/, '')
      : 'rule';
    let name = r?.name ?? defaultName;
    if (r?.name !== undefined && !isDns1123Label(r.name)) {
      problems.add(`${prop}.name`, r.name, 'a rule name is a DNS-1123 label of at most 63 characters', "use e.g. 'payment-from-order'");
    } else if (names.has(name)) {
      if (r?.name !== undefined) {problems.add(`${prop}.name`, r.name, 'rule names must be unique', 'rename the rule');} else {
        let n = 2;
        while (names.has(`${defaultName}-${n}`)) n++;
        name = `${defaultName}-${n}`;
      }
    }
    names.add(name);
    return {
      name,
      source: prop,
      from: r?.callers ?? [],
      to: r?.to,
      methods: r?.methods?.length ? [...new Set(r.methods)] : undefined,
      paths: paths.length ? paths : undefined,
      grpcMethods,
      requireJwt: r?.requireJwt ?? false,
    };
  }
}

import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as consul from '../../imports/consul';
import { ConsulDatacenterWideEntries, Mesh } from '../../model/mesh';
import type { PropProblem } from '../../model/unsupported';
import { addDroppedNote } from '../../private/dropped';
import { meshError, show } from '../../private/errors';
import { objectMetadata } from '../../private/metadata';
import { emitWarning } from '../../private/synthesis';

/** The annotation on the config entries that are one per Consul datacenter (not the app's own). */
export const DATACENTER_WIDE_ANNOTATION = 'cdk8s-mesh.io/consul-scope';
/** Its value. */
export const DATACENTER_WIDE = { [DATACENTER_WIDE_ANNOTATION]: 'datacenter' };

const warned = new WeakMap<Construct, Set<string>>();

/**
 * Whether the chart of `scope` writes the datacenter-wide entry `entry` (Mesh.consul
 * `datacenterWideEntries`). Warns once per construct and entry, unless acknowledged (WRITE); with OMIT,
 * the warning says what the platform's entry must contain (`needs`) for the pattern to work.
 */
export function writesDatacenterWide(scope: Construct, mesh: Mesh, entry: string, needs: string): boolean {
  const mode = mesh.consulDatacenterWide ?? ConsulDatacenterWideEntries.WRITE_WITH_WARNING;
  const seen = warned.get(scope) ?? new Set<string>();
  warned.set(scope, seen);
  const warn = (message: string) => {
    if (seen.has(entry)) return;
    seen.add(entry);
    const self = scope as unknown as { _warn?: (m: string) => void };
    if (typeof self._warn === 'function') self._warn(message);
    else emitWarning(scope, `[${scope.node.path}] ${message}`);
  };
  if (mode === ConsulDatacenterWideEntries.OMIT) {
    warn(`${entry} is one per Consul datacenter and is not written (datacenterWideEntries: OMIT): the platform's entry must ${needs}`);
    return false;
  }
  if (mode === ConsulDatacenterWideEntries.WRITE_WITH_WARNING) {
    warn(`writes ${entry}, one per Consul datacenter: it applies to every namespace and conflicts with any other chart's or the operator's entry of that name; `
      + 'acknowledge it with Mesh.consul({ datacenterWideEntries: ConsulDatacenterWideEntries.WRITE }) if this chart is the platform\'s, or leave it to the platform team with OMIT');
  }
  return true;
}

/** A value a construct set in a shared Consul config entry. */
export interface Contribution<T = unknown> {
  readonly value: T;
  readonly by: string;
}

/**
 * The value a shared config entry keeps for `field`: the first contribution, or, when a later one
 * disagrees, an error naming both constructs (`entry` names the object, `rule` why it is shared).
 */
export function agree<T>(entry: string, rule: string, field: string, current: Contribution<T> | undefined, next: Contribution<T>): Contribution<T> {
  if (current && JSON.stringify(current.value) !== JSON.stringify(next.value)) {
    throw meshError(`[${next.by}] ${entry}: ${field}: got ${show(next.value)}, but [${current.by}] already set ${show(current.value)}; ${rule}: make the two constructs agree`);
  }
  return current ?? next;
}

/**
 * A mesh-wide Consul config entry that exists once (`ProxyDefaults` named `global`, `Mesh` named
 * `mesh`), kept once per chart. Patterns set top-level spec fields of it; two contributions to the same
 * field that disagree are refused at once, naming both constructs.
 */
abstract class ConsulSingleton extends Construct {
  private readonly fields = new Map<string, Contribution>();

  protected constructor(scope: Construct, id: string, private readonly title: string, create: (self: Construct, spec: any) => ApiObject) {
    super(scope, id);
    create(this, Lazy.any({ produce: () => this.renderSpec() }));
  }

  protected setField(field: string, value: unknown, by: string): void {
    this.fields.set(field, agree(this.title, 'Consul allows one such entry for the whole mesh', field, this.fields.get(field), { value, by }));
  }

  private renderSpec(): { [k: string]: unknown } {
    return Object.fromEntries([...this.fields.keys()].sort().map(k => [k, this.fields.get(k)!.value]));
  }
}

/** The one `ProxyDefaults` (`global`) of a chart: zero trust's mutual TLS mode, telemetry's access logs. */
export class ConsulProxyDefaults extends ConsulSingleton {
  /** The entry of the chart of `scope`, created on first use in `namespace`. */
  public static of(scope: Construct, namespace: string | undefined): ConsulProxyDefaults {
    const chart = Chart.of(scope);
    const id = 'ConsulProxyDefaults-global';
    return (chart.node.tryFindChild(id) as ConsulProxyDefaults | undefined) ?? new ConsulProxyDefaults(chart, id, namespace);
  }

  private constructor(scope: Construct, id: string, namespace: string | undefined) {
    super(scope, id, 'ProxyDefaults global', (self, spec) => new consul.ProxyDefaults(self, 'Resource', { metadata: objectMetadata('global', namespace, { annotations: DATACENTER_WIDE }), spec }));
  }

  public setMutualTlsMode(mode: string, by: string): void {
    this.setField('mutualTlsMode', mode, by);
  }

  public setAccessLogs(value: consul.ProxyDefaultsSpecAccessLogs, by: string): void {
    this.setField('accessLogs', value, by);
  }
}

/** The one `Mesh` (`mesh`) of a chart: permissive mTLS allowed (zero trust), mesh destinations only (egress). */
export class ConsulMeshEntry extends ConsulSingleton {
  /** The entry of the chart of `scope`, created on first use in `namespace`. */
  public static of(scope: Construct, namespace: string | undefined): ConsulMeshEntry {
    const chart = Chart.of(scope);
    const id = 'ConsulMesh-mesh';
    return (chart.node.tryFindChild(id) as ConsulMeshEntry | undefined) ?? new ConsulMeshEntry(chart, id, namespace);
  }

  private constructor(scope: Construct, id: string, namespace: string | undefined) {
    super(scope, id, 'Mesh mesh', (self, spec) => new consul.Mesh(self, 'Resource', { metadata: objectMetadata('mesh', namespace, { annotations: DATACENTER_WIDE }), spec }));
  }

  public allowPermissiveMutualTls(by: string): void {
    this.setField('allowEnablingPermissiveMutualTls', true, by);
  }

  public setMeshDestinationsOnly(value: boolean, by: string): void {
    this.setField('transparentProxy', { meshDestinationsOnly: value }, by);
  }
}

/** The `TerminatingGateway` config entry of a gateway in a chart: every egress policy adds its services. */
export class ConsulTerminatingGateway extends Construct {
  /** The entry of `gateway` in the chart of `scope`, created on first use in `namespace`. */
  public static of(scope: Construct, gateway: string, namespace: string | undefined): ConsulTerminatingGateway {
    const chart = Chart.of(scope);
    const id = `ConsulTerminatingGateway-${gateway}`;
    return (chart.node.tryFindChild(id) as ConsulTerminatingGateway | undefined) ?? new ConsulTerminatingGateway(chart, id, gateway, namespace);
  }

  private readonly services = new Set<string>();

  private constructor(scope: Construct, id: string, gateway: string, namespace: string | undefined) {
    super(scope, id);
    new consul.TerminatingGateway(this, 'Resource', {
      metadata: objectMetadata(gateway, namespace, { annotations: DATACENTER_WIDE }),
      spec: Lazy.any({ produce: () => ({ services: [...this.services].sort().map(name => ({ name })) }) }),
    });
  }

  /** Adds a service the gateway reaches (once, whoever adds it). */
  public addService(name: string): void {
    this.services.add(name);
  }
}

/** What a JWTProvider is made of: the issuer, the keys' URL and the audiences. */
export interface ConsulJwtSpec {
  readonly name: string;
  readonly issuer: string;
  readonly jwksUri: string;
  readonly audiences?: string[];
  /** The CA bundle (a file in the proxy's image) the JWKS server's certificate is checked against (https only). */
  readonly trustedCaFile?: string;
}

/**
 * The CA bundle Envoy checks the JWKS server's certificate against, when none is given: the system
 * bundle of the consul-dataplane image (Envoy's distroless base, a Debian layout). Without
 * `jwksCluster.tlsCertificates`, Envoy fetches the keys over TLS without verifying the server
 * (agent/structs/config_entry_jwt_provider.go, JWKSCluster.TLSCertificates).
 */
export const DEFAULT_JWKS_CA_FILE = '/etc/ssl/certs/ca-certificates.crt';

/** What is wrong with a `consulJwksCaFile` value, if anything. */
function consulJwksCaFileProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\/[^\s\0]*[^/\s\0]$/.test(value) || value.length > 4096) return 'the CA bundle is an absolute file path in the proxy container';
  return undefined;
}

/**
 * The problem of `jwt.consulJwksCaFile`, if any, as ZeroTrustNamespace and IngressGateway refuse it (the
 * renderers' `problems` and `jwtProblems`, with the constructs' own JWT checks).
 */
export function jwksCaFileProblems(jwt: { readonly consulJwksCaFile?: string } | undefined): PropProblem[] {
  const problem = consulJwksCaFileProblem(jwt?.consulJwksCaFile);
  return problem ? [{ prop: 'jwt.consulJwksCaFile', value: jwt!.consulJwksCaFile, why: problem, fix: "use an absolute path in the proxy's image, e.g. '/etc/ssl/certs/ca-certificates.crt'" }] : [];
}

/**
 * A Consul `JWTProvider` (a mesh-wide config entry named after the provider), kept once per chart and
 * name: zero trust (intentions) and the API gateway (GatewayPolicy) verify tokens against the same
 * provider, and two constructs that describe it differently are refused, naming both.
 */
export class ConsulJwtProvider extends Construct {
  /** The provider of the chart of `scope` (created on first use). */
  public static of(scope: Construct, jwt: ConsulJwtSpec, by: string): ConsulJwtProvider {
    const chart = Chart.of(scope);
    const id = `ConsulJWTProvider-${jwt.name}`;
    const provider = (chart.node.tryFindChild(id) as ConsulJwtProvider | undefined) ?? new ConsulJwtProvider(chart, id, jwt.name);
    provider.describe(jwt, by);
    return provider;
  }

  private readonly fields = new Map<string, Contribution>();

  private constructor(scope: Construct, id: string, public readonly name: string) {
    super(scope, id);
    new consul.JwtProvider(this, 'Resource', {
      metadata: objectMetadata(name, undefined, { annotations: DATACENTER_WIDE }),
      spec: Lazy.any({
        produce: (): consul.JwtProviderSpec => ({
          issuer: this.fields.get('issuer')?.value as string,
          audiences: this.fields.get('audiences')?.value as string[] | undefined,
          jsonWebKeySet: { remote: this.remote() },
        }),
      }) as consul.JwtProviderSpec,
    });
  }

  /** Adds a pattern's dropped-settings note, joined with the other patterns' notes (addDroppedNote). */
  public addDroppedNote(note: string | undefined): void {
    addDroppedNote(this.node.defaultChild as consul.JwtProvider, note);
  }

  private remote(): consul.JwtProviderSpecJsonWebKeySetRemote {
    const uri = this.fields.get('jwksUri')?.value as string;
    const ca = this.fields.get('trustedCaFile')?.value as string | undefined;
    return {
      uri,
      fetchAsynchronously: true,
      ...(uri.startsWith('https://') ? { jwksCluster: { tlsCertificates: { trustedCa: { filename: ca ?? DEFAULT_JWKS_CA_FILE } } } } : {}),
    };
  }

  private describe(jwt: ConsulJwtSpec, by: string): void {
    for (const [field, value] of [['issuer', jwt.issuer], ['jwksUri', jwt.jwksUri], ['audiences', jwt.audiences], ['trustedCaFile', jwt.trustedCaFile ?? DEFAULT_JWKS_CA_FILE]] as const) {
      this.fields.set(field, agree(`JWTProvider ${this.name}`, 'Consul has one provider of a name for the whole mesh', field, this.fields.get(field), { value, by }));
    }
  }
}

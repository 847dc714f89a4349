import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { show } from './errors';
import { objectMetadata } from './metadata';
import * as consul from '../imports/consul';

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
    throw new Error(`[${next.by}] ${entry}: ${field}: got ${show(next.value)}, but [${current.by}] already set ${show(current.value)}; ${rule}: make the two constructs agree`);
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
    super(scope, id, 'ProxyDefaults global', (self, spec) => new consul.ProxyDefaults(self, 'Resource', { metadata: objectMetadata('global', namespace), spec }));
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
    super(scope, id, 'Mesh mesh', (self, spec) => new consul.Mesh(self, 'Resource', { metadata: objectMetadata('mesh', namespace), spec }));
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
      metadata: objectMetadata(gateway, namespace),
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
      metadata: objectMetadata(name, undefined),
      spec: Lazy.any({
        produce: (): consul.JwtProviderSpec => ({
          issuer: this.fields.get('issuer')?.value as string,
          audiences: this.fields.get('audiences')?.value as string[] | undefined,
          jsonWebKeySet: { remote: { uri: this.fields.get('jwksUri')?.value as string, fetchAsynchronously: true } },
        }),
      }) as consul.JwtProviderSpec,
    });
  }

  private describe(jwt: ConsulJwtSpec, by: string): void {
    for (const [field, value] of [['issuer', jwt.issuer], ['jwksUri', jwt.jwksUri], ['audiences', jwt.audiences]] as const) {
      this.fields.set(field, agree(`JWTProvider ${this.name}`, 'Consul has one provider of a name for the whole mesh', field, this.fields.get(field), { value, by }));
    }
  }
}

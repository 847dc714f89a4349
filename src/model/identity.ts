import { IConstruct } from 'constructs';
import { show } from '../private/errors';
import { requireObject } from '../private/k8s-objects';
import { isDns1123Label, isDns1123Subdomain, isEveryAddress, parseCidr } from '../private/names';

/**
 * What kind of caller an identity is.
 */
export enum IdentityKind {
  /** A workload running as a Kubernetes service account. */
  SERVICE_ACCOUNT = 'ServiceAccount',
  /** Every workload of a namespace. */
  NAMESPACE = 'Namespace',
  /** Unauthenticated clients from a network (CIDR), e.g. a monitoring system outside the mesh. */
  NETWORK = 'Network',
}

/**
 * Options of a service-account identity.
 */
export interface IdentityOptions {
  /**
   * The namespace of the service account.
   * @default - the namespace of the policy
   */
  readonly namespace?: string;
  /**
   * The caller runs outside the mesh (no sidecar): it cannot present an mTLS identity, so STRICT
   * mTLS on the services it calls is refused.
   * @default false
   */
  readonly outsideMesh?: boolean;
}

/**
 * A caller identity in a zero-trust policy. Wildcards are not allowed: callers are named.
 *
 * @example
 * import { Identity } from 'cdk8s-mesh';
 *
 * Identity.serviceAccount('order');                          // shop/order, in the policy's namespace
 * Identity.serviceAccount('istio-ingressgateway-service-account', { namespace: 'istio-system' });
 * Identity.fromServiceAccount(orderSa);                      // a cdk8s-plus ServiceAccount (any 2.x package)
 * Identity.network('10.0.0.0/8');                            // e.g. Prometheus outside the mesh
 */
export class Identity {
  /** A workload's service account. */
  public static serviceAccount(name: string, options: IdentityOptions = {}): Identity {
    return new Identity(IdentityKind.SERVICE_ACCOUNT, name, options.namespace, options.outsideMesh ?? false);
  }

  /**
   * A ServiceAccount object: a `ServiceAccount` of any cdk8s-plus 2.x package, an imported
   * `KubeServiceAccount`, or an `ApiObject` of kind `ServiceAccount` (`v1`); its name and namespace are
   * read from the object it synthesizes.
   *
   * @param serviceAccount a construct that synthesizes a v1 ServiceAccount (typed `IConstruct` so that
   *   any cdk8s-plus version's class is accepted)
   */
  public static fromServiceAccount(serviceAccount: IConstruct, options: IdentityOptions = {}): Identity {
    const api = requireObject(serviceAccount, ['ServiceAccount'], 'v1', 'Identity.fromServiceAccount(serviceAccount)',
      'pass the ServiceAccount object, or use Identity.serviceAccount(name, { namespace })');
    const namespace = options.namespace ?? api.metadata.namespace;
    return new Identity(IdentityKind.SERVICE_ACCOUNT, api.name, namespace, options.outsideMesh ?? false);
  }

  /** Every workload of a namespace. */
  public static allInNamespace(namespace: string): Identity {
    return new Identity(IdentityKind.NAMESPACE, namespace, namespace, false);
  }

  /** Unauthenticated clients from a network (always outside the mesh). */
  public static network(cidr: string): Identity {
    return new Identity(IdentityKind.NETWORK, cidr, undefined, true);
  }

  private constructor(
    /** What kind of identity. */
    public readonly kind: IdentityKind,
    /** The service account name, the namespace, or the CIDR. */
    public readonly name: string,
    /** The namespace, when given. */
    public readonly namespace: string | undefined,
    /** Whether the caller is outside the mesh. */
    public readonly outsideMesh: boolean,
  ) {}

  /**
   * A readable form: `ns/sa`, `namespace ns`, `network 10.0.0.0/8`.
   * @internal
   */
  public _label(defaultNamespace: string): string {
    switch (this.kind) {
      case IdentityKind.SERVICE_ACCOUNT: return `${this.namespace ?? defaultNamespace}/${this.name}`;
      case IdentityKind.NAMESPACE: return `namespace ${this.name}`;
      case IdentityKind.NETWORK: return `network ${this.name}`;
    }
  }

  /** @internal */
  public _problem(): string | undefined {
    if (typeof this.name !== 'string' || !this.name) return `an identity needs a name, got ${show(this.name)}`;
    if (this.name.includes('*')) return `wildcards are not allowed in identities (${show(this.name)}): name each caller`;
    switch (this.kind) {
      case IdentityKind.SERVICE_ACCOUNT:
        if (!isDns1123Subdomain(this.name)) return `${show(this.name)} is not a valid service account name`;
        // a Kubernetes namespace name is a DNS-1123 label: at most 63 characters (the regex alone has no length)
        if (this.namespace !== undefined && !isDns1123Label(this.namespace)) return `${show(this.namespace)} is not a valid namespace`;
        return undefined;
      case IdentityKind.NAMESPACE:
        return isDns1123Label(this.name) ? undefined : `${show(this.name)} is not a valid namespace`;
      case IdentityKind.NETWORK:
        if (!this.name.includes('/') || !parseCidr(this.name)) return `${show(this.name)} is not a CIDR such as 10.0.0.0/8`;
        if (isEveryAddress(this.name)) {
          return `${show(this.name)} is every address, the internet included, so any unauthenticated client could call: name the network the callers are on, e.g. Identity.network('10.0.0.0/8')`;
        }
        return undefined;
    }
  }
}

import { isIP } from 'net';
import { Construct } from 'constructs';
import { EGRESS_OWNED, EgressHost, EgressIntent, EgressOwnedSetting } from './intent';
import { EgressProtocol, ExternalHost } from './props';
import { Mesh } from '../../model/mesh';
import { ServiceRef } from '../../model/service';
import { UnsupportedSettings } from '../../model/unsupported';
import { ProblemList, show } from '../../private/errors';
import { EXTERNAL_HOST, isDns1123Label, isEveryAddress, parseCidr } from '../../private/names';
import { MeshConstruct } from '../mesh-construct';
import { rendererFor } from '../renderers';

export * from './props';

/** An IP address or CIDR (the library's one parser). */
function isAddress(a: unknown): boolean {
  return parseCidr(a) !== undefined;
}

/**
 * Props of an EgressPolicy.
 */
export interface EgressPolicyProps {
  /** The mesh. */
  readonly mesh: Mesh;
  /**
   * The namespace whose workloads call out.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /** The external hosts the workloads may call. */
  readonly hosts: ExternalHost[];
  /**
   * Refuse every other external destination: Istio `Sidecar` `outboundTrafficPolicy.mode: REGISTRY_ONLY`,
   * Linkerd `EgressNetwork` `trafficPolicy: Deny`, Consul `Mesh` `transparentProxy.meshDestinationsOnly`.
   * @default true
   */
  readonly registryOnly?: boolean;
  /**
   * Consul: the services allowed to call the hosts (intentions); Istio and Linkerd scope to the namespace.
   * @default - every service (`*`)
   */
  readonly callers?: ServiceRef[];
  /**
   * Consul: the terminating gateway the external services are reached through.
   * @default 'terminating-gateway' (the consul-k8s Helm chart's name)
   */
  readonly consulTerminatingGateway?: string;
  /**
   * What to do with settings the mesh cannot express: fail, or leave them out with a warning and a
   * `cdk8s-mesh.io/dropped-settings` annotation on the objects this pattern writes. Settings that decide which destinations are reachable (a wildcard host on Consul, `registryOnly` on ambient, `callers`) are always refused.
   * @default UnsupportedSettings.FAIL
   */
  readonly unsupportedSettings?: UnsupportedSettings;
}


/**
 * Which external hosts a namespace's workloads may call, and (by default) that they may call no other.
 * Istio: a `ServiceEntry` per host (exported to the namespace only) and a namespace-wide `Sidecar` with
 * `REGISTRY_ONLY`, plus a `DestinationRule` for TLS origination. Linkerd: an `EgressNetwork` (`Deny`) with
 * a Gateway API `HTTPRoute` or `TLSRoute` per host. Consul: per host a `ServiceDefaults` destination, a
 * place on the terminating gateway and an intention, and `Mesh` `meshDestinationsOnly`.
 *
 * @example
 * import { EgressPolicy, EgressProtocol, Mesh } from 'cdk8s-mesh';
 *
 * new EgressPolicy(chart, 'egress', {
 *   mesh: Mesh.istio(),
 *   hosts: [{ host: 'api.stripe.com' }, { host: 'auth.example.com', protocol: EgressProtocol.HTTP, originateTls: true }],
 * });
 */
export class EgressPolicy extends MeshConstruct {
  /** The namespace. */
  public readonly namespace: string;
  /** Whether other external destinations are refused. */
  public readonly registryOnly: boolean;

  constructor(scope: Construct, id: string, props: EgressPolicyProps) {
    super(scope, id, props?.mesh);
    const renderer = rendererFor(this, this.mesh, 'egress');
    const problems = new ProblemList(this);
    const namespace = this._resolveNamespace(problems, props.namespace, 'an egress policy');
    problems.throwIfAny();
    this.namespace = namespace!;
    this.registryOnly = props.registryOnly ?? true;
    const port = (prop: string, v: unknown) => {
      if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 65535) problems.add(prop, v, 'a port is a whole number from 1 to 65535', 'use e.g. 443');
    };
    if (!Array.isArray(props.hosts) || (!props.hosts.length && !this.registryOnly)) {
      problems.add('hosts', props.hosts, 'an egress policy lists the external hosts workloads may call', "pass hosts: [{ host: 'api.stripe.com' }] (an empty list with registryOnly refuses every external host)");
      problems.throwIfAny();
    }
    const seen = new Map<string, number>();
    const hosts: EgressHost[] = props.hosts.map((h, i) => {
      const prop = `hosts[${i}]`;
      const protocol = h?.protocol ?? EgressProtocol.TLS;
      if (typeof h?.host !== 'string' || h.host.length > 253 || !EXTERNAL_HOST.test(h.host) || isIP(h.host)) {
        problems.add(`${prop}.host`, h?.host, 'an external host is a lower-case DNS name with a domain (optionally starting with *.); not *, an IP or a short name', "use e.g. 'api.stripe.com' or '*.googleapis.com'");
      }
      if (!Object.values(EgressProtocol).includes(protocol)) problems.add(`${prop}.protocol`, protocol, 'not an egress protocol', 'use EgressProtocol.TLS, HTTP or TCP');
      if (protocol === EgressProtocol.TCP && h?.port === undefined) problems.add(`${prop}.port`, undefined, 'a TCP host needs its port', 'set port, e.g. 5432');
      const p = h?.port ?? (protocol === EgressProtocol.HTTP ? 80 : 443);
      port(`${prop}.port`, p);
      const originateTls = h?.originateTls ?? false;
      if (originateTls && protocol !== EgressProtocol.HTTP) {
        problems.add(`${prop}.originateTls`, true, `TLS origination upgrades plain HTTP; a ${protocol} host is already ${protocol === EgressProtocol.TLS ? 'encrypted by the application' : 'opaque to the proxy'}`, 'use protocol: EgressProtocol.HTTP, or remove originateTls');
      }
      if (h?.tlsPort !== undefined && !originateTls) problems.add(`${prop}.tlsPort`, h.tlsPort, 'tlsPort is the port of TLS origination', 'set originateTls: true, or remove tlsPort');
      const tlsPort = h?.tlsPort ?? 443;
      port(`${prop}.tlsPort`, tlsPort);
      if (originateTls && protocol === EgressProtocol.HTTP && tlsPort === p) problems.add(`${prop}.tlsPort`, tlsPort, 'with TLS origination the workloads call a plain HTTP port, which cannot also be the TLS port', 'call port 80 and originate TLS to 443');
      const addresses = h?.addresses ?? [];
      if (!Array.isArray(addresses)) {problems.add(`${prop}.addresses`, addresses, 'addresses are a list', "use e.g. addresses: ['10.20.0.0/16']");} else {
        addresses.forEach((a, j) => {
          if (!isAddress(a)) {
            problems.add(`${prop}.addresses[${j}]`, a, 'not an IP address or CIDR', "use e.g. '10.20.30.40' or '10.20.0.0/16'");
          } else if (isEveryAddress(a)) {
            problems.add(`${prop}.addresses[${j}]`, a, `every address, so TCP port ${p} to any destination, the internet included, would be allowed under the name ${show(h?.host)}`,
              "list the host's own addresses or CIDRs, e.g. '10.20.0.0/16'");
          }
        });
        if (addresses.length && protocol !== EgressProtocol.TCP) problems.add(`${prop}.addresses`, addresses, 'addresses are for TCP hosts; TLS and HTTP hosts are told apart by name', 'remove addresses');
      }
      const key = `${h?.host}:${p}`;
      if (seen.has(key)) problems.add(`${prop}.host`, key, `hosts[${seen.get(key)}] already allows ${key}`, 'list each host and port once');
      seen.set(key, i);
      const slug = `egress-${String(h?.host).replace(/^\*\./, 'wildcard.').replace(/\./g, '-')}${p === 443 || p === 80 ? '' : `-${p}`}`.slice(0, 63).replace(/-+$/, '');
      return { host: h?.host, protocol, port: p, originateTls, tlsPort, addresses: Array.isArray(addresses) ? addresses : [], slug };
    });
    const callers = (props.callers ?? []).map((c, i) => {
      if (!(c instanceof ServiceRef)) problems.add(`callers[${i}]`, c, 'a service reference is required', "use ServiceRef.fromName('payment', { port: 8080 })");
      return c;
    });
    if (props.consulTerminatingGateway !== undefined && !isDns1123Label(props.consulTerminatingGateway)) {
      problems.add('consulTerminatingGateway', props.consulTerminatingGateway, 'a gateway name is a DNS-1123 label', "use e.g. 'terminating-gateway'");
    }
    problems.throwIfAny();

    // what the chosen mesh cannot express
    const intent: EgressIntent = {
      namespace: this.namespace, registryOnly: this.registryOnly, hosts, callers, consulTerminatingGateway: props.consulTerminatingGateway,
    };
    // the mesh-owned settings the renderer does not read (EGRESS_OWNED: consulTerminatingGateway off Consul), after
    // its own checks: those that may not be dropped with the prop problems, the others with the unsupported settings
    const owned = this._refuseOwned<EgressPolicyProps, EgressIntent, EgressOwnedSetting>(problems, EGRESS_OWNED, renderer.reads, intent);
    this._askMesh(problems, renderer, intent);
    const unsupported = [...renderer.unsupported(intent, this._renderContext()), ...owned];
    // dropped settings (addresses and consulTerminatingGateway off their mesh) are not read by the renderers
    const dropped = this._handleUnsupported(problems, unsupported, props.unsupportedSettings === UnsupportedSettings.DROP_WITH_WARNING);

    renderer.render(this, intent, this._renderContext());
    this._markDropped(dropped);
    // the namespace's proxies enforce the policy
    this._enrol(this.namespace, { workloads: callers.map(c => c._workload()), services: callers });
  }
}

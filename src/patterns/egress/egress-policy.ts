import { isIP } from 'net';
import { Construct } from 'constructs';
import * as consul from '../../imports/consul';
import * as gatewayApi from '../../imports/gateway-api';
import * as istio from '../../imports/istio';
import * as linkerd from '../../imports/linkerd';
import { ConsulServiceDefaults } from '../../meshes/consul/service-defaults';
import { ConsulMeshEntry, ConsulTerminatingGateway, writesDatacenterWide } from '../../meshes/consul/singletons';
import { AmbientNamespace, USE_WAYPOINT_LABEL } from '../../meshes/istio/ambient';
import { Mesh, MeshKind } from '../../model/mesh';
import { ServiceRef } from '../../model/service';
import { ProblemList, show } from '../../private/errors';
import { objectMetadata } from '../../private/metadata';
import { DNS1123_LABEL, EXTERNAL_HOST, isEveryAddress, parseCidr } from '../../private/names';
import { MeshConstruct } from '../mesh-construct';
import { rendererFor } from '../renderers';
import { UnsupportedSettings } from '../resilience/resilient-service';

const LINKERD_EGRESS_NETWORK = 'egress';

/** An IP address or CIDR (the library's one parser). */
function isAddress(a: unknown): boolean {
  return parseCidr(a) !== undefined;
}

/**
 * How workloads talk to an external host.
 */
export enum EgressProtocol {
  /** TLS from the application (HTTPS and other TLS): passed through, allowed by SNI. */
  TLS = 'TLS',
  /** Plain HTTP: allowed by Host header (with `originateTls`, the proxy upgrades it to TLS). */
  HTTP = 'HTTP',
  /** Any TCP protocol (databases, brokers): allowed by port. */
  TCP = 'TCP',
}

/**
 * An external host workloads may call.
 */
export interface ExternalHost {
  /** The DNS name, e.g. `api.stripe.com`; `*.example.com` for every subdomain (Istio and Linkerd). */
  readonly host: string;
  /**
   * The protocol.
   * @default EgressProtocol.TLS
   */
  readonly protocol?: EgressProtocol;
  /**
   * The port the workloads call.
   * @default 443 for TLS, 80 for HTTP; required for TCP
   */
  readonly port?: number;
  /**
   * HTTP only: workloads send plain HTTP and the proxy opens TLS to the host on `tlsPort` (Istio
   * `ServiceEntry` `targetPort` plus a `DestinationRule` with `tls.mode: SIMPLE` and the host as SNI).
   * @default false
   */
  readonly originateTls?: boolean;
  /**
   * Istio, TCP hosts: the host's IP addresses or CIDRs, so that the proxy tells this TCP port apart from
   * other destinations on the same port (without them, istioctl warns IST0134 unless DNS auto-allocation is on).
   * @default - none
   */
  readonly addresses?: string[];
  /**
   * With `originateTls`: the port TLS is opened to.
   * @default 443
   */
  readonly tlsPort?: number;
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

interface Host {
  readonly host: string;
  readonly protocol: EgressProtocol;
  readonly port: number;
  readonly originateTls: boolean;
  readonly tlsPort: number;
  readonly addresses: string[];
  readonly slug: string;
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
    // the built-in meshes' objects for this pattern are still written below (docs/architecture.md): a mesh
    // without them is refused here, before anything mesh-specific is read
    rendererFor(this, this.mesh, 'egress');
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
    const hosts: Host[] = props.hosts.map((h, i) => {
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
    if (props.consulTerminatingGateway !== undefined && (typeof props.consulTerminatingGateway !== 'string' || !DNS1123_LABEL.test(props.consulTerminatingGateway))) {
      problems.add('consulTerminatingGateway', props.consulTerminatingGateway, 'a gateway name is a DNS-1123 label', "use e.g. 'terminating-gateway'");
    }
    problems.throwIfAny();

    // what the chosen mesh cannot express
    const unsupported: { setting: string; value: unknown; why: string; alternative: string; keep?: string }[] = [];
    hosts.forEach((h, i) => {
      if (this.mesh.kind === MeshKind.LINKERD && h.protocol === EgressProtocol.TCP) {
        unsupported.push({ setting: `hosts[${i}].protocol`, value: h.protocol, why: 'Linkerd tells TCP destinations apart by address, and the library writes no TCPRoute', alternative: 'reach the host over TLS, or allow its network with registryOnly: false' });
      }
      if (this.mesh.kind !== MeshKind.ISTIO && h.originateTls) {
        unsupported.push({
          setting: `hosts[${i}].originateTls`,
          value: true,
          why: this.mesh.kind === MeshKind.LINKERD ? 'the Linkerd proxy does not originate TLS to external hosts' : 'Consul originates TLS at the terminating gateway only with a CA file mounted in the gateway',
          alternative: 'call the host over HTTPS from the application (protocol: EgressProtocol.TLS)',
        });
      }
      if (this.mesh.kind !== MeshKind.ISTIO && h.addresses.length) {
        unsupported.push({ setting: `hosts[${i}].addresses`, value: h.addresses, why: 'the library writes addresses only into Istio ServiceEntries', alternative: 'remove addresses' });
      }
      if (this.mesh.kind === MeshKind.CONSUL && h.host.startsWith('*.')) {
        unsupported.push({ setting: `hosts[${i}].host`, value: h.host, why: 'a Consul destination names its addresses exactly', alternative: 'list each subdomain', keep: 'the host is the allow-list itself' });
      }
    });
    if (this.mesh.ambient && this.registryOnly) {
      unsupported.push({
        setting: 'registryOnly',
        value: true,
        why: 'ambient pods have no sidecar to apply a REGISTRY_ONLY Sidecar, and ztunnel passes unknown destinations through',
        alternative: 'set registryOnly: false and block other destinations with a Kubernetes NetworkPolicy (egress), or route egress through an egress gateway',
        keep: 'the pods would reach every destination',
      });
    }
    if (this.mesh.kind !== MeshKind.CONSUL && callers.length) {
      unsupported.push({ setting: 'callers', value: callers.map(c => c.name), why: `${this.mesh.displayName} egress rules apply to the whole namespace`, alternative: 'put the callers in a namespace of their own, or remove callers', keep: 'the rules would apply to the whole namespace' });
    }
    if (this.mesh.kind !== MeshKind.CONSUL && props.consulTerminatingGateway !== undefined) {
      unsupported.push({ setting: 'consulTerminatingGateway', value: props.consulTerminatingGateway, why: 'it names a Consul gateway', alternative: 'remove it' });
    }
    // dropped settings (addresses and consulTerminatingGateway off their mesh) are not read by the renderers
    const dropped = this._handleUnsupported(problems, unsupported, props.unsupportedSettings === UnsupportedSettings.DROP_WITH_WARNING);

    switch (this.mesh.kind) {
      case MeshKind.ISTIO: this.renderIstio(hosts); break;
      case MeshKind.LINKERD: this.renderLinkerd(hosts); break;
      default: this.renderConsul(hosts, callers, props.consulTerminatingGateway ?? 'terminating-gateway');
    }
    this._markDropped(dropped);
    // the namespace's proxies enforce the policy
    this._enrol(this.namespace, { workloads: callers.map(c => c._workload()), services: callers });
  }

  private renderIstio(hosts: Host[]): void {
    const ns = this.namespace;
    const SIMPLE = istio.DestinationRuleSpecTrafficPolicyPortLevelSettingsTlsMode.SIMPLE;
    for (const h of hosts) {
      const protocol = h.protocol === EgressProtocol.TCP ? 'TCP' : h.protocol;
      // ambient: TLS origination happens in a waypoint, which the ServiceEntry is enrolled with
      const waypoint = h.originateTls && this.mesh.ambient ? AmbientNamespace.of(this, ns, this.mesh).useEgressWaypoint() : undefined;
      new istio.ServiceEntry(this, `ServiceEntry-${h.slug}`, {
        metadata: objectMetadata(h.slug, ns, waypoint ? { labels: { [USE_WAYPOINT_LABEL]: waypoint } } : {}),
        spec: {
          hosts: [h.host],
          addresses: h.addresses.length ? h.addresses : undefined,
          exportTo: ['.'],
          location: istio.ServiceEntrySpecLocation.MESH_UNDERSCORE_EXTERNAL,
          // a wildcard host cannot be resolved, and CIDR addresses allow only NONE: the proxy forwards to the
          // address the application asked for
          resolution: h.host.startsWith('*.') || h.addresses.some(a => a.includes('/'))
            ? istio.ServiceEntrySpecResolution.NONE
            : istio.ServiceEntrySpecResolution.DNS,
          ports: [{ number: h.port, name: `${protocol.toLowerCase()}-${h.port}`, protocol, targetPort: h.originateTls ? h.tlsPort : undefined }],
        },
      });
      if (h.originateTls) {
        new istio.DestinationRule(this, `DestinationRule-${h.slug}`, {
          metadata: objectMetadata(h.slug, ns),
          spec: {
            host: h.host,
            exportTo: ['.'],
            trafficPolicy: {
              portLevelSettings: [{ port: { number: h.port }, tls: { mode: SIMPLE, sni: h.host } }],
            },
          },
        });
      }
    }
    if (this.registryOnly) {
      new istio.Sidecar(this, 'Sidecar', {
        metadata: objectMetadata('default', ns),
        spec: { outboundTrafficPolicy: { mode: istio.SidecarSpecOutboundTrafficPolicyMode.REGISTRY_UNDERSCORE_ONLY } },
      });
    }
  }

  private renderLinkerd(hosts: Host[]): void {
    const ns = this.namespace;
    new linkerd.EgressNetwork(this, 'EgressNetwork', {
      metadata: objectMetadata(LINKERD_EGRESS_NETWORK, ns),
      spec: { trafficPolicy: this.registryOnly ? linkerd.EgressNetworkSpecTrafficPolicy.DENY : linkerd.EgressNetworkSpecTrafficPolicy.ALLOW },
    });
    const ref = { group: 'policy.linkerd.io', kind: 'EgressNetwork', name: LINKERD_EGRESS_NETWORK };
    for (const h of hosts) {
      const spec = {
        hostnames: [h.host],
        parentRefs: [{ ...ref, namespace: ns, port: h.port }],
        rules: [{ backendRefs: [{ ...ref, port: h.port }] }],
      };
      if (h.protocol === EgressProtocol.HTTP) {
        new gatewayApi.HttpRoute(this, `HTTPRoute-${h.slug}`, { metadata: objectMetadata(h.slug, ns), spec });
      } else {
        // TLSRoute v1alpha2: Linkerd edge-26.8's policy controller watches that version only and skips
        // the watch when it is not served (policy-controller/k8s/api/src/lib.rs, `gateway::TLSRoute`
        // pinned to v1alpha2). Gateway API 1.6 standard serves v1 only: the cluster needs Linkerd's
        // bundled Gateway API CRDs or the experimental channel (docs/cluster-linkerd.md)
        new linkerd.TlsRoute(this, `TLSRoute-${h.slug}`, { metadata: objectMetadata(h.slug, ns), spec });
      }
    }
  }

  private renderConsul(hosts: Host[], callers: ServiceRef[], gateway: string): void {
    const ns = this.namespace;
    for (const h of hosts) {
      const entry = ConsulServiceDefaults.of(this, h.slug, ns);
      entry.setProtocol(h.protocol === EgressProtocol.HTTP ? 'http' : 'tcp', this.node.path);
      entry.setDestination({ addresses: [h.host], port: h.port }, this.node.path);
      new consul.ServiceIntentions(this, `Intentions-${h.slug}`, {
        metadata: objectMetadata(h.slug, ns),
        spec: {
          destination: { name: h.slug },
          // the named callers, and no other service, whatever the datacenter's default
          sources: callers.length
            ? [...[...new Set(callers.map(c => c.name))].sort().map(name => ({ name, action: 'allow' })), { name: '*', action: 'deny' }]
            : [{ name: '*', action: 'allow' }],
        },
      });
    }
    // the terminating gateway's entry and Mesh `mesh` are one per datacenter (Mesh.consul datacenterWideEntries)
    const slugs = hosts.map(h => h.slug).join(', ');
    if (writesDatacenterWide(this, this.mesh, `TerminatingGateway ${gateway}`, `list the services ${slugs}`)) {
      const terminatingGateway = ConsulTerminatingGateway.of(this, gateway, ns);
      for (const h of hosts) terminatingGateway.addService(h.slug);
    }
    // mesh-wide in Consul: every egress policy of the chart must agree
    if (writesDatacenterWide(this, this.mesh, 'Mesh mesh', `set transparentProxy.meshDestinationsOnly: ${this.registryOnly}`)) {
      ConsulMeshEntry.of(this, ns).setMeshDestinationsOnly(this.registryOnly, this.node.path);
    }
  }
}

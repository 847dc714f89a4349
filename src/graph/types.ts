// The shapes a mesh graph is made of: read by the graph (model.ts) and its drawings (render.ts).

/** A backend of a route: a service (or a version of one) and its weight. */
export interface GraphBackend {
  /** The service, as `namespace/name`. */
  readonly service: string;
  /** The version (an Istio or Consul subset, or the version of a per-version Service). */
  readonly version?: string;
  /**
   * The weight, when the route splits requests.
   * @default - all requests of the route
   */
  readonly weight?: number;
}

/** A route of a service's requests: which requests, where they go, and the route's resilience settings. */
export interface GraphRoute {
  /** The service whose requests the route takes, as `namespace/name`. */
  readonly service: string;
  /** The route's name, or its position (`#2`). */
  readonly name: string;
  /** The requests it takes, e.g. `POST /orders*` (`*` ends a prefix), or `any`. */
  readonly match: string;
  /** The headers it requires, as `name=value` (`name~regex`, `name*prefix`). */
  readonly headers: string[];
  /** Where the requests go. */
  readonly backends: GraphBackend[];
  /**
   * Where requests are mirrored to (with the percentage).
   * @default - none
   */
  readonly mirror?: string;
  /**
   * The request timeout.
   * @default - the mesh's default
   */
  readonly timeout?: string;
  /**
   * The retries.
   * @default - the mesh's default
   */
  readonly retries?: string;
  /**
   * The faults injected.
   * @default - none
   */
  readonly fault?: string;
  /** The object and field that says so, e.g. `VirtualService shop/payment http[2]`. */
  readonly source: string;
}

/** A setting of a service that is not per route: circuit breaker, connection pool, rate limit. */
export interface GraphSetting {
  /** The service, as `namespace/name`. */
  readonly service: string;
  /** `circuitBreaker`, `connectionPool`, `rateLimit`, `timeout` or `retries`. */
  readonly name: string;
  /** The setting, in words and the mesh's units. */
  readonly value: string;
  /** The object that says so. */
  readonly source: string;
}

/** A service of the graph. */
export interface GraphService {
  /** `namespace/name`. */
  readonly id: string;
  /** The namespace. */
  readonly namespace: string;
  /** The name. */
  readonly name: string;
  /** Its versions (subsets, version labels of its workloads, per-version Services). */
  readonly versions: string[];
  /** The workloads the manifests hold for it, as `Kind name`. */
  readonly workloads: string[];
  /** The identities its workloads call with, as `namespace/serviceAccount` (Consul: the service's name). */
  readonly identities: string[];
  /**
   * The service this one is a version of (a per-version Service that a route of that service sends to).
   * @default - none
   */
  readonly versionOf?: string;
}

/** An edge of the graph: what one caller may (and may not) send to one service. */
export interface GraphEdge {
  /**
   * The caller: `namespace/serviceAccount`, `namespace/unnamed` (any other workload of the namespace),
   * `_other/unnamed` (any workload of another namespace), `ip:192.0.2.10` (a client outside the mesh).
   */
  readonly caller: string;
  /**
   * The service whose workloads call with this identity.
   * @default - none among the manifests (a gateway, another namespace's workload, or any caller)
   */
  readonly callerService?: string;
  /** The service called, as `namespace/name`. */
  readonly service: string;
  /** The requests allowed (`POST /process-payment`, `TCP`), empty when every request is denied. */
  readonly allowed: string[];
  /** The requests denied. */
  readonly denied: string[];
  /** Why each request is allowed or denied, in the order of `allowed` then `denied`. */
  readonly reasons: string[];
  /** False when nothing enforces the policies (the service's pods get no proxy). */
  readonly enforced: boolean;
}

/** An entry point: a gateway's route to a service. */
export interface GraphIngress {
  /** The gateway, as `namespace/name`. */
  readonly gateway: string;
  /** The hosts it serves. */
  readonly hosts: string[];
  /** The requests of the route, e.g. `/api*`. */
  readonly match: string;
  /** The service it sends to, as `namespace/name`. */
  readonly service: string;
  /** The object that says so. */
  readonly source: string;
}

/** An external host the mesh lets workloads reach. */
export interface GraphEgress {
  /** The host (or address). */
  readonly host: string;
  /** The ports, e.g. `443/TLS`. */
  readonly ports: string[];
  /** The callers allowed, as services or identities; empty when any workload of `namespace` may. */
  readonly callers: string[];
  /** The namespace whose workloads it is for. */
  readonly namespace: string;
  /** The object that says so. */
  readonly source: string;
}

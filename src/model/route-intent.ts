import { HttpMethod, MatchType } from './matches';
import { ServiceProtocol, ServiceRef } from './service';

/** A normalized request match. */
export interface MatchIntent {
  readonly path?: { readonly type: MatchType; readonly value: string };
  readonly methods?: HttpMethod[];
  readonly headers: { readonly name: string; readonly type: MatchType; readonly value: string }[];
  /** Query parameters (all of them; exact or regex), from VersionedRouting. */
  readonly query?: { readonly name: string; readonly type: MatchType; readonly value: string }[];
}

/** A retry policy, in milliseconds. */
export interface RetryIntent {
  readonly attempts: number;
  readonly perTryTimeoutMs?: number;
  /** Envoy-style retry conditions: 5xx, gateway-error, reset, connect-failure, refused-stream, retriable-4xx. */
  readonly on: string[];
  readonly statusCodes: number[];
}

/** One routing rule, in the order the mesh should try them (first match wins on Istio and Consul). */
export interface RuleIntent {
  readonly name: string;
  /** The prop path the rule came from, for messages. */
  readonly source: string;
  /** The prop path its retry policy came from, for messages. */
  readonly retrySource: string;
  /** Undefined: every request. */
  readonly match?: MatchIntent;
  readonly timeoutMs?: number;
  /** Undefined: retries are explicitly off for this rule (unless `unmanaged`). */
  readonly retry?: RetryIntent;
  /** No ResilientService manages this rule: write no timeout and leave retries to the mesh. */
  readonly unmanaged?: boolean;
}

export interface CircuitBreakerIntent {
  readonly consecutiveErrors: number;
  /** true: count only 502/503/504 (gateway errors); false: every 5xx. */
  readonly gatewayErrorsOnly: boolean;
  readonly intervalMs?: number;
  readonly ejectionTimeMs?: number;
  readonly maxEjectionPercent?: number;
  readonly minHealthPercent?: number;
}

export interface ConnectionPoolIntent {
  readonly maxConnections?: number;
  readonly maxPendingRequests?: number;
  readonly maxRequestsPerConnection?: number;
  readonly maxConcurrentRequests?: number;
  readonly maxConcurrentStreams?: number;
  readonly connectTimeoutMs?: number;
}

export interface RateLimitIntent {
  readonly requestsPerSecond: number;
  readonly perCallerRequestsPerSecond?: number;
  readonly overrides: { readonly serviceAccounts: { readonly name: string; readonly namespace?: string }[]; readonly requestsPerSecond: number }[];
}

/** Everything a renderer needs: the service and its resilience settings, validated and in mesh-neutral form. */
export interface ResilienceIntent {
  readonly service: ServiceRef;
  readonly serviceName: string;
  readonly namespace?: string;
  readonly host: string;
  readonly port: number;
  readonly targetPort: number;
  readonly protocol: ServiceProtocol;
  readonly rules: RuleIntent[];
  readonly circuitBreaker?: CircuitBreakerIntent;
  readonly connectionPool?: ConnectionPoolIntent;
  readonly loadBalancing?: string;
  readonly rateLimit?: RateLimitIntent;
  readonly callers: ServiceRef[];
}

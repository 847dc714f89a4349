export * from './mesh';
export * from './service';
export * from './mesh-construct';
export * from './matches';
export * from './resilience/resilient-service';
export * from './canary/canary-release';
export * from './zero-trust/identity';
export * from './zero-trust/zero-trust-namespace';
export * from './analysis/findings';
export * from './analysis/validator';
export * from './analysis/reachability';
export * from './analysis/analyzer';

export * as istio from './imports/istio';
export * as gatewayApi from './imports/gateway-api';
export * as linkerd from './imports/linkerd';
export * as consul from './imports/consul';
export * as smi from './imports/smi';
export * as prometheus from './imports/prometheus';

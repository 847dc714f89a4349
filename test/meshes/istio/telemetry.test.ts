import { TraceTag } from '../../../src';
import { istioCustomTag } from '../../../src/meshes/istio/telemetry';

// Istio's rendering of a TraceTag lives in the Istio folder (the public TraceTag in patterns/telemetry/props.ts
// carries no Istio type): one entry of Telemetry `tracing.customTags` per source
describe('istioCustomTag', () => {
  test('a literal tag is a literal value', () => {
    expect(istioCustomTag(TraceTag.literal('production'))).toEqual({ literal: { value: 'production' } });
  });

  test('an environment tag names the variable, with its default when given', () => {
    expect(istioCustomTag(TraceTag.fromEnvironment('ISTIO_META_CLUSTER_ID'))).toEqual({ environment: { name: 'ISTIO_META_CLUSTER_ID', defaultValue: undefined } });
    expect(istioCustomTag(TraceTag.fromEnvironment('ISTIO_META_CLUSTER_ID', 'unknown'))).toEqual({ environment: { name: 'ISTIO_META_CLUSTER_ID', defaultValue: 'unknown' } });
  });

  test('a header tag names the request header, with its default when given', () => {
    expect(istioCustomTag(TraceTag.fromHeader('x-tenant'))).toEqual({ header: { name: 'x-tenant', defaultValue: undefined } });
    expect(istioCustomTag(TraceTag.fromHeader('x-tenant', 'none'))).toEqual({ header: { name: 'x-tenant', defaultValue: 'none' } });
  });
});

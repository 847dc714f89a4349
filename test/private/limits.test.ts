import * as fs from 'fs';
import * as path from 'path';
import { HTTPROUTE_MAX_RULES } from '../../src/private/limits';

/** The `spec.rules` maxItems of a committed (pinned) schema. */
function maxRules(file: string): number {
  const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'schemas', file), 'utf8')).schema;
  return schema.properties.spec.properties.rules.maxItems;
}

describe('private/limits', () => {
  // the splitting into several routes at this limit is asserted at the patterns (test/patterns/ingress, canary)
  test('HTTPROUTE_MAX_RULES is the rule limit of both HTTPRoute CRDs the library writes (Gateway API and policy.linkerd.io)', () => {
    expect(maxRules('gateway-api/gateway.networking.k8s.io_v1_HTTPRoute.json')).toBe(HTTPROUTE_MAX_RULES);
    expect(maxRules('linkerd/policy.linkerd.io_v1beta3_HTTPRoute.json')).toBe(HTTPROUTE_MAX_RULES);
  });
});

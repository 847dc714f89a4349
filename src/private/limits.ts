/** Gateway API (and Linkerd's policy.linkerd.io) HTTPRoute: at most 16 rules in one route (the CRDs' maxItems). */
export const HTTPROUTE_MAX_RULES = 16;

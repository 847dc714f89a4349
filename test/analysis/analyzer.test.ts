import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import { MeshAnalyzer, ManifestValidator, Severity } from '../../src';
import { RULE_EXAMPLES } from '../../src/analysis/rules/examples';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'valid');

describe('the rule registry', () => {
  test('at least 30 Istio, 10 Linkerd and 10 Consul rules, each with a stable code, summary and upstream anchor', () => {
    const rules = MeshAnalyzer.rules();
    const count = (mesh: string) => rules.filter(r => r.mesh === mesh).length;
    expect(count('istio')).toBeGreaterThanOrEqual(30);
    expect(count('linkerd')).toBeGreaterThanOrEqual(10);
    expect(count('consul')).toBeGreaterThanOrEqual(10);
    expect(new Set(rules.map(r => r.code)).size).toBe(rules.length);
    for (const r of rules) {
      expect(r.code).toMatch(/^[ILCK]\d{3}$/);
      expect(r.summary.length).toBeGreaterThan(10);
      expect(r.upstream.length).toBeGreaterThan(3);
    }
  });

  test('an Istio rule that mirrors an istioctl analyzer cites the right code and has its severity (istioctl 1.30 messages.yaml)', () => {
    // the istioctl 1.30.3 codes and levels (pkg/config/analysis/msg/messages.yaml) of the analyzers cited
    const ISTIOCTL: { [code: string]: [string, Severity] } = {
      IST0002: ['Deprecated', Severity.WARNING],
      IST0101: ['ReferencedResourceNotFound', Severity.ERROR],
      IST0102: ['NamespaceNotInjected', Severity.INFO],
      IST0109: ['ConflictingMeshGatewayVirtualServiceHosts', Severity.ERROR],
      IST0106: ['SchemaValidationError', Severity.ERROR],
      IST0111: ['MultipleSidecarsWithoutWorkloadSelectors', Severity.ERROR],
      IST0128: ['NoServerCertificateVerificationDestinationLevel', Severity.WARNING],
      IST0129: ['NoServerCertificateVerificationPortLevel', Severity.WARNING],
      IST0130: ['VirtualServiceUnreachableRule', Severity.WARNING],
      IST0131: ['VirtualServiceIneffectiveMatch', Severity.INFO],
      IST0132: ['VirtualServiceHostNotFoundInGateway', Severity.WARNING],
      IST0133: ['SchemaWarning', Severity.WARNING],
      IST0134: ['ServiceEntryAddressesRequired', Severity.WARNING],
      IST0138: ['GatewayDuplicateCertificate', Severity.WARNING],
      IST0145: ['ConflictingGateways', Severity.ERROR],
      IST0151: ['EnvoyFilterUsesRelativeOperation', Severity.WARNING],
      IST0152: ['EnvoyFilterUsesReplaceOperationIncorrectly', Severity.ERROR],
      IST0153: ['EnvoyFilterUsesAddOperationIncorrectly', Severity.ERROR],
      IST0154: ['EnvoyFilterUsesRemoveOperationIncorrectly', Severity.ERROR],
      IST0155: ['EnvoyFilterUsesRelativeOperationWithProxyVersion', Severity.WARNING],
      IST0157: ['InvalidTelemetryProvider', Severity.WARNING],
      IST0160: ['MultipleTelemetriesWithoutWorkloadSelectors', Severity.ERROR],
      IST0165: ['ReferencedInternalGateway', Severity.WARNING],
      IST0167: ['IneffectivePolicy', Severity.WARNING],
      IST0173: ['DestinationRuleSubsetNotSelectPods', Severity.ERROR],
    };
    for (const r of MeshAnalyzer.rules().filter(x => x.mesh === 'istio')) {
      for (const m of r.upstream.matchAll(/IST(\d{4})(-class)?( \w+)?/g)) {
        const known = ISTIOCTL[`IST${m[1]}`];
        expect([r.code, `IST${m[1]}`, known !== undefined && !m[2]]).toEqual([r.code, `IST${m[1]}`, true]);
        if (m[3]?.trim() && /^[A-Z]/.test(m[3].trim())) expect([r.code, m[3].trim()]).toEqual([r.code, known[0]]);
        // the same check on the same facts has istioctl's level; a check that sees only the manifests says why it differs
        if (!/sees the whole cluster|the level differs/.test(r.upstream)) expect([r.code, r.severity]).toEqual([r.code, known[1]]);
      }
    }
  });

  test('I121: several RequestAuthentications of a workload are merged (no finding); one issuer declared twice is', () => {
    const ra = (name: string, issuer: string) => `apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  jwtRules: [{issuer: ${issuer}}]`;
    expect(MeshAnalyzer.analyzeYaml([ra('a', 'https://a.example.com'), ra('b', 'https://b.example.com')].join('\n---\n')).findings).toEqual([]);
    expect(MeshAnalyzer.analyzeYaml([ra('a', 'https://a.example.com'), ra('b', 'https://a.example.com')].join('\n---\n')).findings.map(f => f.code)).toEqual(['I121']);
  });

  test('C115: a peer\'s callers need a * deny of that peer and a local one; a * → * intention with them counts', () => {
    const si = (name: string, dest: string, sources: string) => `apiVersion: consul.hashicorp.com/v1alpha1\nkind: ServiceIntentions\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  destination: {name: '${dest}'}\n  sources: ${sources}`;
    const codes = (...docs: string[]) => MeshAnalyzer.analyzeYaml(docs.join('\n---\n')).findings.map(f => `${f.code} ${f.message.split(':')[0]}`);
    // the review's eu-west: an L4 peer source, no * deny anywhere
    expect(codes(si('payment-remote-callers', 'payment', '[{name: order, peer: us-west, action: allow}]'))).toEqual([
      'C115 payment lets callers of peer us-west in, but no source {name',
      'C115 payment is exported (it has peer sources) but no {name',
    ]);
    // two peers, one denied: the other is reported
    expect(codes(si('p', 'payment', "[{name: order, peer: us-west, action: allow}, {name: order, peer: ap-south, action: allow}, {name: '*', peer: us-west, action: deny}, {name: '*', action: deny}]")))
      .toEqual(['C115 payment lets callers of peer ap-south in, but no source {name']);
    // the denies in a * → * intention count; a peer * allow is not a deny; no peer source: no finding
    expect(codes(si('p', 'payment', '[{name: order, peer: us-west, action: allow}]'), si('d', '*', "[{name: '*', action: deny}, {name: '*', peer: us-west, action: deny}]"))).toEqual([]);
    expect(codes(si('p', 'payment', "[{name: order, peer: us-west, action: allow}, {name: '*', peer: us-west, action: allow}, {name: '*', action: deny}]")))
      .toEqual(['C115 payment lets callers of peer us-west in, but no source {name']);
    expect(codes(si('p', 'payment', '[{name: order, action: allow}]'))).toEqual([]);
  });

  test('every rule has an example', () => {
    expect([...new Set(RULE_EXAMPLES.map(e => e.code))].sort()).toEqual(MeshAnalyzer.rules().map(r => r.code));
  });
});

describe('each rule: the bad manifest gives exactly the expected findings, the fixed one none', () => {
  test.each(RULE_EXAMPLES.map((e, i) => [`${e.code} (example ${RULE_EXAMPLES.slice(0, i).filter(x => x.code === e.code).length + 1})`, e] as const))('%s', (_code, e) => {
    const bad = MeshAnalyzer.analyzeYaml(e.bad, { fileName: `${e.code}.yaml` });
    expect(bad.findings.map(f => f.code).sort()).toEqual([...e.expect].sort());
    for (const f of bad.findings) {
      expect(f.resource).toMatch(/^\w+ /);
      expect(f.line).toBeGreaterThan(0);
      expect(f.upstream).toBeDefined();
    }
    const fixed = MeshAnalyzer.analyzeYaml(e.fixed);
    expect(fixed.findings.map(f => ManifestValidator.formatFinding(f))).toEqual([]);
    // the examples are also valid against the pinned CRDs, so that the analyzer is the only thing that objects
    const invalid = ManifestValidator.validateYaml(e.fixed).findings.filter(f => f.severity === Severity.ERROR);
    expect(invalid.map(f => ManifestValidator.formatFinding(f))).toEqual([]);
  });
});

describe('options and opt-outs', () => {
  const twoPAs = RULE_EXAMPLES.find(e => e.code === 'I118')!.bad;

  test('a resource opts out of a rule with the cdk8s-mesh.io/disable-rules annotation', () => {
    const disabled = twoPAs.replace('metadata: {name: strict, namespace: shop}', "metadata: {name: strict, namespace: shop, annotations: {cdk8s-mesh.io/disable-rules: 'I118'}}");
    expect(MeshAnalyzer.analyzeYaml(disabled).findings).toEqual([]);
  });

  test('minSeverity filters', () => {
    const warnings = RULE_EXAMPLES.find(e => e.code === 'I105')!.bad;
    expect(MeshAnalyzer.analyzeYaml(warnings).findings).toHaveLength(1);
    expect(MeshAnalyzer.analyzeYaml(warnings, { minSeverity: Severity.ERROR }).findings).toHaveLength(0);
  });

  test('the root namespace is an option', () => {
    const yaml = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: mesh-root}
spec: {mtls: {mode: STRICT}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: payment, namespace: shop}
spec: {host: payment, trafficPolicy: {tls: {mode: DISABLE}}}
`;
    expect(MeshAnalyzer.analyzeYaml(yaml).findings).toEqual([]);
    expect(MeshAnalyzer.analyzeYaml(yaml, { rootNamespace: 'mesh-root' }).findings.map(f => f.code)).toEqual(['I113']);
  });

  test('rules of a mesh run only when its resources are present', () => {
    // a Gateway API route with a named rule is fine for Istio; only a Linkerd install ignores it
    const route = RULE_EXAMPLES.find(e => e.code === 'L112')!.bad.split('---\n')[1];
    expect(MeshAnalyzer.analyzeYaml(route).findings).toEqual([]);
  });
});

describe('zero findings of severity error or warning on the library\'s golden outputs', () => {
  test.each(['istio.yaml', 'linkerd.yaml', 'consul.yaml', 'gateway-api.yaml'])('fixture %s', file => {
    expect(MeshAnalyzer.analyzeFiles([path.join(FIXTURES, file)]).findings).toEqual([]);
  });
});

describe('robustness', () => {
  test('never throws on generated or truncated YAML: findings or a clean parse error', () => {
    const corpus = RULE_EXAMPLES.flatMap(e => [e.bad, e.fixed]).concat(fs.readFileSync(path.join(FIXTURES, 'istio.yaml'), 'utf8'));
    fc.assert(fc.property(fc.integer({ min: 0, max: corpus.length - 1 }), fc.nat(), fc.string(), (i, cut, noise) => {
      const text = corpus[i];
      const truncated = text.slice(0, cut % (text.length + 1)) + noise;
      const result = MeshAnalyzer.analyzeYaml(truncated);
      expect(Array.isArray(result.findings)).toBe(true);
      for (const f of result.findings) expect(typeof f.code).toBe('string');
    }), { numRuns: 300 });
  });

  test('arbitrary JSON values as manifests give no crash', () => {
    fc.assert(fc.property(fc.array(fc.jsonValue()), values => {
      expect(() => MeshAnalyzer.analyzeObjects(values)).not.toThrow();
    }), { numRuns: 300 });
  });

  test('objects with the right kind but wrong shapes give no crash', () => {
    const kinds = ['VirtualService', 'DestinationRule', 'AuthorizationPolicy', 'PeerAuthentication', 'Gateway', 'ServiceEntry', 'Server', 'HTTPRoute',
      'ServiceSplitter', 'ServiceRouter', 'ServiceIntentions', 'ServiceResolver', 'ExportedServices', 'HTTPLocalRateLimitPolicy', 'NetworkAuthentication'];
    const groups = ['networking.istio.io/v1', 'security.istio.io/v1', 'policy.linkerd.io/v1alpha1', 'consul.hashicorp.com/v1alpha1', 'gateway.networking.k8s.io/v1'];
    fc.assert(fc.property(fc.array(fc.record({
      apiVersion: fc.constantFrom(...groups),
      kind: fc.constantFrom(...kinds),
      metadata: fc.record({ name: fc.string(), namespace: fc.option(fc.string(), { nil: undefined }) }),
      spec: fc.jsonValue(),
    }), { maxLength: 8 }), objects => {
      expect(() => MeshAnalyzer.analyzeObjects(objects)).not.toThrow();
    }), { numRuns: 300 });
  });
});

describe('L121: a Server open wider than its namespace, with AuthorizationPolicies on it or its routes', () => {
  // the shape of the review of issue 16 item 7: a rate-limited Server with zero-trust policies, opened by hand
  const server = (accessPolicy: string, annotations = '') => `apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: user-8080, namespace: shop${annotations}}
spec:
  podSelector: {matchLabels: {app: user}}
  port: 8080
  accessPolicy: ${accessPolicy}`;
  const yaml = (accessPolicy: string, annotations = '') => [
    'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, annotations: {config.linkerd.io/default-inbound-policy: deny, linkerd.io/inject: enabled}}',
    server(accessPolicy, annotations),
    'apiVersion: policy.linkerd.io/v1beta3\nkind: HTTPRoute\nmetadata: {name: user-get, namespace: shop}\nspec:\n  parentRefs: [{group: policy.linkerd.io, kind: Server, name: user-8080}]\n  rules: [{matches: [{method: GET, path: {type: PathPrefix, value: /}}]}]',
    'apiVersion: policy.linkerd.io/v1alpha1\nkind: MeshTLSAuthentication\nmetadata: {name: user-from-web, namespace: shop}\nspec:\n  identityRefs: [{kind: ServiceAccount, name: web}]',
    'apiVersion: policy.linkerd.io/v1alpha1\nkind: AuthorizationPolicy\nmetadata: {name: user-from-web, namespace: shop}\nspec:\n  targetRef: {group: policy.linkerd.io, kind: HTTPRoute, name: user-get}\n  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: user-from-web}]',
    'apiVersion: policy.linkerd.io/v1alpha1\nkind: AuthorizationPolicy\nmetadata: {name: user-server, namespace: shop}\nspec:\n  targetRef: {group: policy.linkerd.io, kind: Server, name: user-8080}\n  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: user-from-web}]',
  ].join('\n---\n');
  const l121 = (y: string) => MeshAnalyzer.analyzeYaml(y).findings.filter(f => f.code === 'L121');

  test('all-unauthenticated under a deny namespace is reported although policies target the Server and its route', () => {
    const found = l121(yaml('all-unauthenticated'));
    expect(found).toHaveLength(1);
    expect(found[0].message).toContain('Linkerd admits them on every route of this Server besides the AuthorizationPolicies on it');
  });

  test('the namespace default (deny) is not reported, nor an open port with its reason stated', () => {
    expect(l121(yaml('deny'))).toEqual([]);
    expect(l121(yaml('all-unauthenticated', ', annotations: {cdk8s-mesh.io/access-policy-reason: "health checks from the load balancer"}'))).toEqual([]);
  });
});

describe('K103 and Linkerd Links with selectors of their own (hand-written: the rule reads a Link\'s targetClusterName, never its selector)', () => {
  // a consuming cluster's output, hand-written: the app's own Service cart, a route to a mirrored Service, and the
  // Link to eu-west; the rule reads the Link's targetClusterName only (the service mirror names the mirror
  // <service>-<targetClusterName> whatever the selector: cluster_watcher.go mirrorServiceName), never its selector
  const link = (selectors: string) => `apiVersion: multicluster.linkerd.io/v1alpha3
kind: Link
metadata: {name: eu-west, namespace: linkerd-multicluster}
spec:
  targetClusterName: eu-west
  targetClusterDomain: cluster.local
  targetClusterLinkerdNamespace: linkerd
  clusterCredentialsSecret: cluster-credentials-eu-west
  gatewayAddress: 203.0.113.10
  gatewayPort: "4143"
  gatewayIdentity: linkerd-gateway.linkerd-multicluster.serviceaccount.identity.linkerd.cluster.local
  probeSpec: {path: /ready, port: "4191", period: 3s}
${selectors}`;
  const cart = 'apiVersion: v1\nkind: Service\nmetadata: {name: cart, namespace: shop}\nspec:\n  selector: {app: cart}\n  ports: [{port: 80}]';
  const route = (backend: string) => `apiVersion: policy.linkerd.io/v1beta3
kind: HTTPRoute
metadata: {name: checkout, namespace: shop}
spec:
  parentRefs: [{group: core, kind: Service, name: cart, port: 80}]
  rules: [{backendRefs: [{name: ${backend}, port: 80}]}]`;
  const k103 = (...docs: string[]) => MeshAnalyzer.analyzeYaml(docs.join('\n---\n')).findings.filter(f => f.code === 'K103').map(f => f.message.split(',')[0]);

  test.each([
    ['gateway mode', '  selector:\n    matchLabels: {mirror.linkerd.io/exported: "true", mirror.cdk8s-mesh.io/us-west: "true"}'],
    ['remote discovery', '  remoteDiscoverySelector:\n    matchLabels: {mirror.linkerd.io/exported: remote-discovery, mirror.cdk8s-mesh.io/us-west: "true"}'],
  ])('%s: a route to the mirrored payment-eu-west is not a missing Service; one to payment-ap-south (no Link to ap-south) is', (_mode, selectors) => {
    expect(k103(cart, route('payment-eu-west'), link(selectors))).toEqual([]);
    expect(k103(cart, route('payment-ap-south'), link(selectors))).toEqual(['the HTTPRoute backend names Service shop/payment-ap-south']);
    // without the Link, payment-eu-west is a missing Service too
    expect(k103(cart, route('payment-eu-west'))).toEqual(['the HTTPRoute backend names Service shop/payment-eu-west']);
  });
});

describe('L121: the pods\' own config.linkerd.io/default-inbound-policy (pod template annotation, else the namespace\'s)', () => {
  const KEY = 'config.linkerd.io/default-inbound-policy';
  const ns = (policy?: string) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, annotations: {linkerd.io/inject: enabled${policy ? `, ${KEY}: ${policy}` : ''}}}`;
  const server = (accessPolicy: string, podSelector = '{matchLabels: {app: user}}') => `apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: user-8080, namespace: shop}
spec:
  podSelector: ${podSelector}
  port: 8080
  accessPolicy: ${accessPolicy}`;
  const meta = (name: string, policy?: string) => `{labels: {app: user, workload: ${name}}${policy ? `, annotations: {${KEY}: ${policy}}` : ''}}`;
  const containers = '{containers: [{name: app, image: app:1, ports: [{containerPort: 8080}]}]}';
  const workload = (kind: string, name: string, policy?: string) => {
    if (kind === 'Pod') return `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: shop, labels: {app: user, workload: ${name}}${policy ? `, annotations: {${KEY}: ${policy}}` : ''}}\nspec: ${containers}`;
    const template = `{metadata: ${meta(name, policy)}, spec: ${containers}}`;
    if (kind === 'CronJob') return `apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: ${name}, namespace: shop}\nspec: {schedule: "* * * * *", jobTemplate: {spec: {template: ${template}}}}`;
    return `apiVersion: ${kind === 'Job' ? 'batch/v1' : 'apps/v1'}\nkind: ${kind}\nmetadata: {name: ${name}, namespace: shop}\nspec: {selector: {matchLabels: {workload: ${name}}}, template: ${template}}`;
  };
  const l121 = (...docs: string[]) => MeshAnalyzer.analyzeYaml(docs.join('\n---\n')).findings.filter(f => f.code === 'L121').map(f => f.message);

  test.each(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'])('a %s whose pods say deny under an all-unauthenticated namespace: an all-unauthenticated Server over them is reported', (kind) => {
    expect(l121(ns('all-unauthenticated'), server('all-unauthenticated'), workload(kind, 'user', 'deny'))).toEqual([
      `all-unauthenticated admits more callers than the default inbound policy of pods it selects: ${kind} user (deny, its pod template's ${KEY}); Linkerd applies the Server's accessPolicy to their port instead of that default, `
      + 'and no AuthorizationPolicy governs this Server: the port is open wider than these pods\' own default; set accessPolicy: deny (or authorize the callers)',
    ]);
    // a Server as narrow as the pods' default is not
    expect(l121(ns('all-unauthenticated'), server('deny'), workload(kind, 'user', 'deny'))).toEqual([]);
  });

  test('pods that say all-unauthenticated under a deny namespace: their own default wins, so an all-unauthenticated Server over them opens nothing', () => {
    expect(l121(ns('deny'), server('all-unauthenticated'), workload('Deployment', 'user', 'all-unauthenticated'))).toEqual([]);
    // without the Namespace object among the manifests too
    expect(l121(server('all-unauthenticated'), workload('Deployment', 'user', 'all-unauthenticated'))).toEqual([]);
  });

  test('no pod annotation: the namespace\'s default, as before (with and without the workloads among the manifests)', () => {
    expect(l121(ns('deny'), server('all-unauthenticated'), workload('Deployment', 'user'))).toEqual([expect.stringContaining('pods it selects: Deployment user (deny, the namespace\'s); ')]);
    expect(l121(ns('deny'), server('all-unauthenticated'))).toEqual([expect.stringContaining('all-unauthenticated admits more callers than the namespace\'s default inbound policy deny')]);
    expect(l121(ns('all-unauthenticated'), server('all-unauthenticated'), workload('Deployment', 'user'))).toEqual([]);
    // neither annotated nor the Namespace object here: not known
    expect(l121(server('all-unauthenticated'), workload('Deployment', 'user'))).toEqual([]);
  });

  test('of several selected pods, those whose own default is narrower are named; pods the Server does not select are not read', () => {
    const other = workload('Deployment', 'other', 'deny').replace(/app: user/g, 'app: other');
    expect(l121(ns('all-unauthenticated'), server('all-unauthenticated'), workload('Deployment', 'a', 'cluster-authenticated'), workload('StatefulSet', 'b'), other)).toEqual([
      expect.stringContaining('pods it selects: Deployment a (cluster-authenticated, its pod template\'s config.linkerd.io/default-inbound-policy); '),
    ]);
    expect(l121(ns('all-unauthenticated'), server('all-unauthenticated'), workload('StatefulSet', 'b'), other)).toEqual([]);
  });

  test('a podSelector by matchExpressions selects the pods its expressions match', () => {
    expect(l121(ns('all-unauthenticated'), server('all-unauthenticated', '{matchExpressions: [{key: workload, operator: In, values: [a]}]}'), workload('Deployment', 'a', 'deny'))).toHaveLength(1);
    expect(l121(ns('all-unauthenticated'), server('all-unauthenticated', '{matchExpressions: [{key: workload, operator: NotIn, values: [a]}]}'), workload('Deployment', 'a', 'deny'))).toEqual([]);
  });

  test('wider is by the callers each policy admits (policy-controller defaults.rs): all-authenticated is wider than cluster-unauthenticated (callers from outside the cluster), and the fix admits only what every pod admits', () => {
    expect(l121(ns('cluster-unauthenticated'), server('all-authenticated'))).toEqual([expect.stringContaining('set accessPolicy: cluster-unauthenticated')]);
    expect(l121(ns('all-authenticated'), server('cluster-unauthenticated'), workload('Deployment', 'a', 'cluster-unauthenticated'), workload('Deployment', 'b', 'all-authenticated')))
      .toEqual([expect.stringContaining('pods it selects: Deployment b (all-authenticated, its pod template\'s config.linkerd.io/default-inbound-policy); ')]);
    expect(l121(ns('deny'), server('all-unauthenticated'), workload('Deployment', 'a', 'cluster-unauthenticated'), workload('Deployment', 'b', 'all-authenticated')))
      .toEqual([expect.stringContaining('set accessPolicy: cluster-authenticated')]);
    expect(l121(ns('all-unauthenticated'), server('audit'))).toEqual([]);
  });

  test('a pod value Linkerd cannot parse: the pod runs with the cluster\'s default, which the manifests do not say (not reported)', () => {
    expect(l121(ns('deny'), server('all-unauthenticated'), workload('Deployment', 'user', 'nobody'))).toEqual([]);
  });

  describe('config.linkerd.io/proxy-require-identity-inbound-ports: a listed port\'s default admits authenticated callers only (policy-controller inbound index.rs default_inbound_server)', () => {
    const REQ = 'config.linkerd.io/proxy-require-identity-inbound-ports';
    const listing = (doc: string, ports: string) => doc.replace(/annotations: \{/, `annotations: {${REQ}: "${ports}", `);

    test('pods listing the Server\'s port: an all-unauthenticated Server is wider than their all-authenticated default, named with the annotation; all-authenticated is not', () => {
      expect(l121(ns('deny'), server('all-unauthenticated'), listing(workload('Deployment', 'user', 'all-unauthenticated'), '8080'))).toEqual([
        `all-unauthenticated admits more callers than the default inbound policy of pods it selects: Deployment user (all-authenticated, its pod template's ${KEY}, authenticated callers only on port 8080 `
        + `as its pod template's ${REQ}: "8080" lists it); Linkerd applies the Server's accessPolicy to their port instead of that default, `
        + 'and no AuthorizationPolicy governs this Server: the port is open wider than these pods\' own default; set accessPolicy: all-authenticated (or authorize the callers)',
      ]);
      expect(l121(ns('deny'), server('all-authenticated'), listing(workload('Deployment', 'user', 'all-unauthenticated'), '8080'))).toEqual([]);
      // another port: the pods' default as it is
      expect(l121(ns('deny'), server('all-unauthenticated'), listing(workload('Deployment', 'user', 'all-unauthenticated'), '9090'))).toEqual([]);
    });

    test('the namespace\'s list (copied onto pods without their own), with and without the workloads among the manifests', () => {
      const nsListing = listing(ns('all-unauthenticated'), '8000-9000');
      expect(l121(nsListing, server('all-unauthenticated'), workload('Deployment', 'user'))).toEqual([expect.stringContaining(`Deployment user (all-authenticated, the namespace's, authenticated callers only on port 8080 as the namespace's ${REQ}: "8000-9000" lists it)`)]);
      expect(l121(nsListing, server('all-unauthenticated'))).toEqual([expect.stringContaining(`than the namespace's default inbound policy all-authenticated (all-unauthenticated, authenticated callers only on port 8080 as the namespace's ${REQ}: "8000-9000" lists it)`)]);
      // a pod's own list replaces the namespace's
      expect(l121(nsListing, server('all-unauthenticated'), listing(workload('Deployment', 'user', 'all-unauthenticated'), '9090'))).toEqual([]);
    });

    // a Server port by name selects, on each pod, its containers' (and init containers') TCP ports of that name
    // (policy-controller/k8s/index/src/inbound/index.rs select_ports; workload.rs pod_tcp_ports_by_name), each
    // with that pod's default on its number (index.rs default_inbound_server)
    describe('a Server port by name, resolved against the selected pods\' container ports', () => {
      const named = (accessPolicy: string, port = 'http') => server(accessPolicy).replace('port: 8080', `port: ${port}`);
      const withPorts = (doc: string, ports: string) => doc.replace('ports: [{containerPort: 8080}]', `ports: ${ports}`);
      const user = (ports = '[{name: http, containerPort: 8080}]', list = '8080', name = 'user') => listing(withPorts(workload('Deployment', name, 'all-unauthenticated'), ports), list);

      test('the name is port 8080 on the pods, which they list: reported, naming the port; all-authenticated is not; another list is not', () => {
        expect(l121(ns('deny'), named('all-unauthenticated'), user())).toEqual([
          `all-unauthenticated admits more callers than the default inbound policy of pods it selects: Deployment user (all-authenticated, its pod template's ${KEY}, authenticated callers only on port 8080 `
          + `as its pod template's ${REQ}: "8080" lists it); Linkerd applies the Server's accessPolicy to their port instead of that default, `
          + 'and no AuthorizationPolicy governs this Server: the port is open wider than these pods\' own default; set accessPolicy: all-authenticated (or authorize the callers)',
        ]);
        expect(l121(ns('deny'), named('all-authenticated'), user())).toEqual([]);
        expect(l121(ns('deny'), named('all-unauthenticated'), user(undefined, '9090'))).toEqual([]);
        // the namespace's list, copied onto pods without their own
        expect(l121(listing(ns('all-unauthenticated'), '8000-8100'), named('all-unauthenticated'), withPorts(workload('Deployment', 'user'), '[{name: http, containerPort: 8080}]')))
          .toEqual([expect.stringContaining('Deployment user (all-authenticated, the namespace\'s, authenticated callers only on port 8080 as the namespace\'s')]);
      });

      test('per pod: the name may be another number on each workload; an init container\'s port counts; a UDP port, another name or case does not', () => {
        const b = user('[{name: http, containerPort: 9090}]', '8080', 'b');
        expect(l121(ns('deny'), named('all-unauthenticated'), user(), b)).toEqual([expect.stringContaining('pods it selects: Deployment user (all-authenticated, ')]);
        const init = user('[]').replace('spec: {containers:', 'spec: {initContainers: [{name: proxy, image: p:1, restartPolicy: Always, ports: [{name: http, containerPort: 8080}]}], containers:');
        expect(l121(ns('deny'), named('all-unauthenticated'), init)).toHaveLength(1);
        expect(l121(ns('deny'), named('all-unauthenticated'), user('[{name: http, containerPort: 8080, protocol: UDP}]'))).toEqual([]);
        expect(l121(ns('deny'), named('all-unauthenticated'), user('[{name: HTTP, containerPort: 8080}]'))).toEqual([]);
        expect(l121(ns('deny'), named('all-unauthenticated', 'grpc'), user())).toEqual([]);
      });

      test('a name on several ports of a pod (two containers): the Server selects each, and the listed ones are named', () => {
        const two = (list: string) => user('[{name: http, containerPort: 8081}]', list).replace('image: app:1,', 'image: app:1, ports: [{name: http, containerPort: 8080}]}, {name: side, image: side:1,');
        expect(l121(ns('deny'), named('all-unauthenticated'), two('8081'))).toEqual([expect.stringContaining(`authenticated callers only on port 8081 as its pod template's ${REQ}: "8081" lists it)`)]);
        expect(l121(ns('deny'), named('all-unauthenticated'), two('8080-8081'))).toEqual([expect.stringContaining(`authenticated callers only on ports 8080, 8081 as its pod template's ${REQ}: "8080-8081" lists them)`)]);
        expect(l121(ns('deny'), named('all-unauthenticated'), two('9090'))).toEqual([]);
      });

      test('a pod without a TCP port of that name is not served by the Server (it selects no port of it): its default is not compared', () => {
        expect(l121(ns('all-unauthenticated'), named('all-unauthenticated'), withPorts(workload('Deployment', 'user', 'deny'), '[{name: web, containerPort: 8080}]'))).toEqual([]);
        expect(l121(ns('all-unauthenticated'), named('all-unauthenticated'), withPorts(workload('Deployment', 'user', 'deny'), '[{name: http, containerPort: 8080}]'))).toHaveLength(1);
      });
    });
  });
});

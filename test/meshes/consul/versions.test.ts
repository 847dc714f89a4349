import { ApiObject, Testing } from 'cdk8s';
import { Mesh } from '../../../src';
import { CONSUL_CANARY } from '../../../src/meshes/consul/canary';
import { CONSUL_ROUTING } from '../../../src/meshes/consul/routing';
import { CONSUL_VERSIONS } from '../../../src/meshes/consul/versions';
import { PodTemplate } from '../../../src/private/k8s-objects';
import { warningContext } from '../canary-fixtures';
import { version } from '../routing-intent';

describe('meshes/consul/versions: one implementation of the version hooks for CanaryRelease and VersionedRouting', () => {
  test('both renderers use the same hooks', () => {
    expect(CONSUL_CANARY.versionLabelKeyProblems).toBe(CONSUL_VERSIONS.versionLabelKeyProblems);
    expect(CONSUL_ROUTING.versionLabelKeyProblems).toBe(CONSUL_VERSIONS.versionLabelKeyProblems);
    expect(CONSUL_CANARY.prepareVersion).toBe(CONSUL_VERSIONS.prepareVersion);
    expect(CONSUL_ROUTING.prepareVersion).toBe(CONSUL_VERSIONS.prepareVersion);
  });

  test('the label key problem is on the prop the pattern names', () => {
    expect(CONSUL_VERSIONS.versionLabelKeyProblems!('canary.labelKey', 'track-b')).toEqual([{ prop: 'canary.labelKey', value: 'track-b', why: 'Consul subsets filter on Service.Meta.<key>, which needs a plain identifier', fix: "use a key such as 'version'" }]);
    expect(CONSUL_VERSIONS.versionLabelKeyProblems!('canary.labelKey', 'track_b')).toEqual([]);
  });

  test("the warning without a Deployment names the pattern's factory", () => {
    const ctx = warningContext(Mesh.consul());
    CONSUL_VERSIONS.prepareVersion!(undefined, version('v2'), ctx, 'ReleaseVersion.fromDeployment');
    CONSUL_VERSIONS.prepareVersion!(undefined, version('v3'), ctx, 'ServiceVersion.fromDeployment');
    expect(ctx.warnings).toEqual([
      'Consul subsets filter on Service.Meta.version: annotate the v2 pods with consul.hashicorp.com/service-meta-version: "v2" (ReleaseVersion.fromDeployment does it for you)',
      'Consul subsets filter on Service.Meta.version: annotate the v3 pods with consul.hashicorp.com/service-meta-version: "v3" (ServiceVersion.fromDeployment does it for you)',
    ]);
    const chart = Testing.chart();
    const d = new ApiObject(chart, 'd', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'reviews-v2' }, spec: { selector: { matchLabels: { app: 'reviews' } }, template: { metadata: { labels: { app: 'reviews' } } } } });
    CONSUL_VERSIONS.prepareVersion!(PodTemplate.of(d), version('v2'), ctx, 'ReleaseVersion.fromDeployment');
    expect(Testing.synth(chart)[0].spec.template.metadata.annotations).toEqual({ 'consul.hashicorp.com/service-meta-version': 'v2' });
    expect(ctx.warnings).toHaveLength(2);
  });
});

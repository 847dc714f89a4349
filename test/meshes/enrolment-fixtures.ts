import { ApiObject, Chart } from 'cdk8s';
import { PodTemplate } from '../../src/private/k8s-objects';

/** A Namespace object of the user's, with labels and annotations. */
export function namespaceObject(chart: Chart, labels: { [k: string]: string } = {}, annotations: { [k: string]: string } = {}): ApiObject {
  return new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels, annotations } });
}

/** A Deployment's pod template, with pod labels and annotations. */
export function podTemplate(chart: Chart, labels: { [k: string]: string } = {}, annotations: { [k: string]: string } = {}, automount?: boolean): PodTemplate {
  const api = new ApiObject(chart, 'payment', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'payment', namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: 'payment' } },
      template: { metadata: { labels: { app: 'payment', ...labels }, annotations }, spec: { automountServiceAccountToken: automount, containers: [{ name: 'payment', image: 'example/payment:1' }] } },
    },
  });
  return PodTemplate.of(api)!;
}

/** The shop for Istio as a plain cdk8s app, for `cdk8s synth` with the validation plugin (examples/cdk8s.yaml). */
import { App } from 'cdk8s';
import { Shop } from './main';
import { Mesh } from '../../src';

const app = new App();
new Shop(app, 'shop', { mesh: Mesh.istio() });
app.synth();

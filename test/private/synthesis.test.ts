import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Mesh, ResilientService, ServiceRef } from '../../src';
import { emitWarning, perSynthesis } from '../../src/private/synthesis';

describe('private/synthesis: what renderers ask of the synthesis', () => {
  test('outside a synthesis, perSynthesis computes each time', () => {
    const chart = Testing.chart();
    let n = 0;
    expect(perSynthesis(chart, 'k', () => ++n)).toBe(1);
    expect(perSynthesis(chart, 'k', () => ++n)).toBe(2);
  });

  test('inside a synthesis (hooks installed by the patterns), it computes once per synthesis', () => {
    const chart = Testing.chart();
    new ResilientService(chart, 'r', { mesh: Mesh.istio(), service: ServiceRef.fromName('a', { port: 80 }) });
    let n = 0;
    const probe = new Construct(chart, 'probe');
    probe.node.addValidation({ validate: () => { perSynthesis(probe, 'probe', () => ++n); perSynthesis(probe, 'probe', () => ++n); return []; } });
    Testing.synth(chart);
    expect(n).toBe(1);
  });

  test('warnings follow the cdk8s-mesh:warnings context (here: none)', () => {
    const chart = Testing.chart();
    chart.node.setContext('cdk8s-mesh:warnings', 'none');
    const write = jest.spyOn(process.stderr, 'write');
    emitWarning(chart, 'hello');
    expect(write).not.toHaveBeenCalled();
    write.mockRestore();
  });
});

import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { addShared, sharedOf } from '../../src/private/contributions';

describe('private/contributions: addShared and sharedOf', () => {
  test('nothing recorded: an empty list', () => {
    const chart = Testing.chart();
    expect(sharedOf(new Construct(chart, 'by'))).toEqual([]);
  });

  test('the scopes recorded for one construct, in order, each once, across calls', () => {
    const chart = Testing.chart();
    const by = new Construct(chart, 'by');
    const a = new Construct(chart, 'a');
    const b = new Construct(chart, 'b');
    addShared(by, a);
    addShared(by, b, a);
    addShared(by);
    expect(sharedOf(by)).toEqual([a, b]);
  });

  test('each construct has its own scopes; the list returned is a copy', () => {
    const chart = Testing.chart();
    const one = new Construct(chart, 'one');
    const two = new Construct(chart, 'two');
    const a = new Construct(chart, 'a');
    addShared(one, a);
    expect(sharedOf(two)).toEqual([]);
    sharedOf(one).push(two);
    expect(sharedOf(one)).toEqual([a]);
  });
});

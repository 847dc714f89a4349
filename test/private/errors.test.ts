import { Duration, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Mesh, ResilientService, ServiceRef } from '../../src';
import { meshError, ProblemList, propMessage, show } from '../../src/private/errors';
import { failureOf } from '../util';

describe('private/errors: show, the value an error message quotes', () => {
  test('strings are quoted as JSON; up to 120 characters whole, a longer one by its first 100 and its length', () => {
    expect(show('')).toBe('""');
    expect(show('a "b"\n')).toBe('"a \\"b\\"\\n"');
    expect(show('a'.repeat(120))).toBe(`"${'a'.repeat(120)}"`);
    expect(show('a'.repeat(121))).toBe(`"${'a'.repeat(100)}..." (121 characters)`);
    expect(show('x'.repeat(1_000_000))).toBe(`"${'x'.repeat(100)}..." (1000000 characters)`);
  });

  test('undefined, null, numbers and booleans are written as they read', () => {
    expect(show(undefined)).toBe('undefined');
    expect(show(null)).toBe('null');
    expect(show(0)).toBe('0');
    expect(show(-1.5)).toBe('-1.5');
    expect(show(NaN)).toBe('NaN');
    expect(show(Infinity)).toBe('Infinity');
    expect(show(false)).toBe('false');
  });

  test('a Duration is written as the meshes write it; zero, fractions and non-numbers as milliseconds', () => {
    expect(show(Duration.seconds(90))).toBe('1m30s');
    expect(show(Duration.millis(1))).toBe('1ms');
    expect(show(Duration.hours(99999))).toBe('99999h');
    expect(show(Duration.millis(0))).toBe('0ms');
    expect(show(Duration.millis(0.5))).toBe('0.5ms');
    expect(show(Duration.millis(1000.5))).toBe('1000.5ms');
    expect(show(Duration.millis(NaN))).toBe('Duration.millis(NaN)');
    expect(show(Duration.millis(Infinity))).toBe('Duration.millis(Infinity)');
  });

  test('objects and arrays as JSON, up to 80 characters whole, longer ones cut to 77 and "..."', () => {
    expect(show({ a: 1 })).toBe('{"a":1}');
    expect(show([])).toBe('[]');
    const at80 = { k: 'v'.repeat(72) }; // {"k":"vvv..."} is 8 + 72 characters
    expect(show(at80)).toBe(JSON.stringify(at80));
    expect(show(at80)).toHaveLength(80);
    const at81 = { k: 'v'.repeat(73) };
    expect(show(at81)).toBe(`${JSON.stringify(at81).slice(0, 77)}...`);
  });

  test('values JSON cannot write are still shown, briefly', () => {
    const cyclic: any = { a: 1 };
    cyclic.self = cyclic;
    expect(show(cyclic)).toBe('[object Object]');
    expect(show(BigInt(10))).toBe('10');
    expect(show(Symbol('x'))).toBe('Symbol(x)');
  });

  test('a class or function is shown by its name, not its source (a class passed for an instance gave a message of 12000 characters)', () => {
    expect(show(ServiceRef)).toBe('[function ServiceRef]');
    expect(show(Duration)).toBe('[function Duration]');
    expect(show(() => 1)).toBe('[function]');
    expect(failureOf(chart => new ResilientService(chart, 'svc', { mesh: Mesh.istio(), service: ServiceRef as any })))
      .toMatch(/^\[test\/svc\] service: got \[function ServiceRef\]: .{1,300}$/s);
  });
});

describe('private/errors: propMessage, ProblemList and meshError', () => {
  test('propMessage reads "prop: got value: problem; fix"', () => {
    expect(propMessage('timeout', Duration.seconds(3), 'too long', 'use less')).toBe('timeout: got 3s: too long; use less');
    expect(propMessage('routes[0].name', '', 'a route needs a name', "name it, e.g. 'api'")).toBe('routes[0].name: got "": a route needs a name; name it, e.g. \'api\'');
  });

  test('no problem: nothing is thrown', () => {
    const problems = new ProblemList(Testing.chart());
    expect(problems.length).toBe(0);
    expect(() => problems.throwIfAny()).not.toThrow();
  });

  test('one problem: thrown on one line after the construct path', () => {
    const chart = Testing.chart();
    const problems = new ProblemList(new Construct(new Construct(chart, 'zt'), 'inner'));
    problems.add('port', 0, 'a port is from 1 to 65535', 'pass { port: 8080 }');
    expect(problems.length).toBe(1);
    expect(() => problems.throwIfAny()).toThrow(new Error('[test/zt/inner] port: got 0: a port is from 1 to 65535; pass { port: 8080 }'));
  });

  test('several problems: thrown together, counted, one per line, in the order found; addRaw is kept as written', () => {
    const problems = new ProblemList(new Construct(Testing.chart(), 'rs'));
    problems.add('a', 'x', 'bad', 'fix a');
    problems.addRaw('b.c: got 1: raw; fix b');
    expect(problems.length).toBe(2);
    let message = '';
    try {
      problems.throwIfAny();
    } catch (e) {
      expect(e).not.toBeInstanceOf(TypeError);
      message = (e as Error).message;
    }
    expect(message).toBe('[test/rs] 2 problems:\n  - a: got "x": bad; fix a\n  - b.c: got 1: raw; fix b');
  });

  test('meshError makes (does not throw) a plain Error with the message as given', () => {
    const e = meshError('Mesh.istio: trustDomain: got "*": bad; fix');
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(TypeError);
    expect(e.message).toBe('Mesh.istio: trustDomain: got "*": bad; fix');
  });
});

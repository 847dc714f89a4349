import { Duration, Testing } from 'cdk8s';
import { checkDuration, formatDuration, MAX_DURATION_MS, millis } from '../../src/private/duration';
import { ProblemList } from '../../src/private/errors';

/** The message checkDuration gives for `d` on the prop `timeout`, or undefined. */
function problemOf(d: unknown): string | undefined {
  const problems = new ProblemList(Testing.chart());
  checkDuration(problems, 'timeout', d as Duration);
  try {
    problems.throwIfAny();
    return undefined;
  } catch (e) {
    expect(e).not.toBeInstanceOf(TypeError);
    return (e as Error).message;
  }
}

/** Gateway API's duration format (GEP-2257, the HTTPRoute CRD's timeouts pattern). */
const GATEWAY_DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

describe('private/duration: millis', () => {
  test('the milliseconds of a Duration, fractions kept', () => {
    expect(millis(Duration.seconds(3))).toBe(3000);
    expect(millis(Duration.seconds(1.5))).toBe(1500);
    expect(millis(Duration.millis(0.25))).toBe(0.25);
  });

  test('NaN for what is not a Duration (checkDuration reports it)', () => {
    expect(millis(undefined as any)).toBeNaN();
    expect(millis('3s' as any)).toBeNaN();
    expect(millis({} as any)).toBeNaN();
  });
});

describe('private/duration: checkDuration, both sides of each limit', () => {
  test('no duration (the prop left out) is no problem', () => {
    expect(problemOf(undefined)).toBeUndefined();
  });

  test('1ms is accepted; 0, 0.5ms and NaN are refused', () => {
    expect(problemOf(Duration.millis(1))).toBeUndefined();
    expect(problemOf(Duration.millis(0))).toBe('[test] timeout: got 0ms: durations must be at least 1ms; use Duration.millis(1) or more');
    expect(problemOf(Duration.millis(0.5))).toBe('[test] timeout: got 0.5ms: durations must be at least 1ms; use Duration.millis(1) or more');
    expect(problemOf(Duration.millis(NaN))).toBe('[test] timeout: got Duration.millis(NaN): the duration is not a number; '
      + 'compute the amount before Duration.millis() or Duration.seconds(), e.g. Duration.seconds(3)');
  });

  test('99999h is accepted; 1ms more and Infinity are refused', () => {
    expect(MAX_DURATION_MS).toBe(99_999 * 3_600_000);
    expect(problemOf(Duration.millis(MAX_DURATION_MS))).toBeUndefined();
    expect(problemOf(Duration.millis(MAX_DURATION_MS + 1))).toContain('[test] timeout: got 99999h1ms: durations must be at most 99999h');
    expect(problemOf(Duration.millis(Infinity))).toContain('timeout: got Duration.millis(Infinity): durations must be at most 99999h');
  });

  test('whole milliseconds are accepted; a fraction is refused with the nearest whole value as the fix', () => {
    expect(problemOf(Duration.seconds(1.5))).toBeUndefined();
    expect(problemOf(Duration.millis(1000.4))).toBe('[test] timeout: got 1000.4ms: durations must be a whole number of milliseconds (1000.4ms); use Duration.millis(1000)');
    expect(problemOf(Duration.millis(1.5))).toBe('[test] timeout: got 1.5ms: durations must be a whole number of milliseconds (1.5ms); use Duration.millis(2)');
  });

  test('what is not a Duration is refused, not a TypeError; an object with toMilliseconds (another cdk8s copy) is read', () => {
    for (const [value, shown] of [['3s', '"3s"'], [3000, '3000'], [null, 'null'], [{}, '{}']] as const) {
      expect(problemOf(value)).toBe(`[test] timeout: got ${shown}: must be a cdk8s Duration; use Duration.millis(), Duration.seconds() or Duration.minutes()`);
    }
    expect(problemOf({ toMilliseconds: () => 3000 })).toBeUndefined();
    expect(problemOf({ toMilliseconds: () => 0 })).toContain('durations must be at least 1ms');
  });

  test('each problem is reported once, on the prop named', () => {
    const problems = new ProblemList(Testing.chart());
    checkDuration(problems, 'a', Duration.millis(0));
    checkDuration(problems, 'b', Duration.seconds(1));
    checkDuration(problems, 'c', Duration.millis(MAX_DURATION_MS + 1));
    expect(problems.length).toBe(2);
    expect(() => problems.throwIfAny()).toThrow(/^\[test\] 2 problems:\n {2}- a: got 0ms: .*\n {2}- c: got 99999h1ms: /);
  });
});

describe('private/duration: formatDuration', () => {
  test('Go-style durations, largest units first', () => {
    expect(formatDuration(Duration.millis(1))).toBe('1ms');
    expect(formatDuration(Duration.seconds(3))).toBe('3s');
    expect(formatDuration(Duration.millis(1500))).toBe('1s500ms');
    expect(formatDuration(Duration.seconds(90))).toBe('1m30s');
    expect(formatDuration(Duration.minutes(2))).toBe('2m');
    expect(formatDuration(Duration.hours(1))).toBe('1h');
    expect(formatDuration(Duration.hours(99999))).toBe('99999h');
  });

  test('every duration checkDuration accepts is written in Gateway API\'s format (at most 5 digits per unit, 4 units)', () => {
    const accepted = [1, 999, 1000, 59_999, 60_000, 3_599_999, 3_600_000, 86_400_000, MAX_DURATION_MS - 1, MAX_DURATION_MS];
    for (const ms of accepted) {
      expect(problemOf(Duration.millis(ms))).toBeUndefined();
      expect(formatDuration(Duration.millis(ms))).toMatch(GATEWAY_DURATION);
    }
    expect(formatDuration(Duration.millis(MAX_DURATION_MS - 1))).toBe('99998h59m59s999ms');
    // one more and the format no longer holds it: the limit is where it must be
    expect(formatDuration(Duration.hours(100_000))).not.toMatch(GATEWAY_DURATION);
  });
});

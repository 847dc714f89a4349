import { formatMillis, formatMillisSingleUnit, formatTableLines } from '../../src/private/format';

describe('private/format: formatMillis (Istio, Consul, Gateway API durations)', () => {
  test('each unit at its boundaries', () => {
    expect(formatMillis(1)).toBe('1ms');
    expect(formatMillis(999)).toBe('999ms');
    expect(formatMillis(1000)).toBe('1s');
    expect(formatMillis(1001)).toBe('1s1ms');
    expect(formatMillis(59_999)).toBe('59s999ms');
    expect(formatMillis(60_000)).toBe('1m');
    expect(formatMillis(3_599_999)).toBe('59m59s999ms');
    expect(formatMillis(3_600_000)).toBe('1h');
    expect(formatMillis(3_661_001)).toBe('1h1m1s1ms');
    expect(formatMillis(90_000)).toBe('1m30s');
    expect(formatMillis(99_999 * 3_600_000)).toBe('99999h');
  });

  test('zero is 0s; fractions are rounded to the nearest millisecond', () => {
    expect(formatMillis(0)).toBe('0s');
    expect(formatMillis(0.49)).toBe('0s');
    expect(formatMillis(0.5)).toBe('1ms');
    expect(formatMillis(1499.6)).toBe('1s500ms');
  });
});

describe('private/format: formatMillisSingleUnit (Linkerd annotations: one integer, one unit)', () => {
  test('the largest unit that divides the value exactly', () => {
    expect(formatMillisSingleUnit(1)).toBe('1ms');
    expect(formatMillisSingleUnit(1500)).toBe('1500ms');
    expect(formatMillisSingleUnit(1000)).toBe('1s');
    expect(formatMillisSingleUnit(90_000)).toBe('90s');
    expect(formatMillisSingleUnit(60_000)).toBe('1m');
    expect(formatMillisSingleUnit(5_400_000)).toBe('90m');
    expect(formatMillisSingleUnit(3_600_000)).toBe('1h');
    expect(formatMillisSingleUnit(7_200_001)).toBe('7200001ms');
  });

  test('zero is 0s; fractions are rounded', () => {
    expect(formatMillisSingleUnit(0)).toBe('0s');
    expect(formatMillisSingleUnit(999.5)).toBe('1s');
    expect(formatMillisSingleUnit(1.4)).toBe('1ms');
  });

  test('always one integer and one unit', () => {
    for (const ms of [1, 7, 999, 1000, 1001, 59_999, 60_000, 61_000, 3_600_000, 3_600_001, 99_999 * 3_600_000]) {
      expect(formatMillisSingleUnit(ms)).toMatch(/^[0-9]+(ms|s|m|h)$/);
    }
  });
});

describe('private/format: formatTableLines (the reachability table)', () => {
  const row = (over: object = {}) => ({ caller: 'shop/order', service: 'payment', method: 'GET', path: '/', withJwt: false, allowed: true, reason: 'allowed by payment-allow', ...over });

  test('no decisions: the header alone', () => {
    expect([...formatTableLines([])]).toEqual(['CALLER  SERVICE  REQUEST  DECISION  REASON\n']);
  });

  test('columns are as wide as their longest cell; the last column is not padded', () => {
    const lines = [...formatTableLines([row(), row({ caller: 'x', service: 'a-much-longer-service', allowed: false, reason: 'no rule' })])].join('');
    expect(lines).toBe([
      'CALLER      SERVICE                REQUEST  DECISION  REASON',
      'shop/order  payment                GET /    ALLOW     allowed by payment-allow',
      'x           a-much-longer-service  GET /    DENY      no rule',
      '',
    ].join('\n'));
  });

  test('a TCP service shows TCP (no method or path); +jwt marks a request with a token; NOT ENFORCED wins over the decision', () => {
    const lines = [...formatTableLines([row({ protocol: 'tcp', withJwt: true }), row({ withJwt: true, path: '/api' }), row({ enforced: false, allowed: true })])].join('');
    expect(lines).toBe([
      'CALLER      SERVICE  REQUEST        DECISION      REASON',
      'shop/order  payment  TCP            ALLOW         allowed by payment-allow',
      'shop/order  payment  GET /api +jwt  ALLOW         allowed by payment-allow',
      'shop/order  payment  GET /          NOT ENFORCED  allowed by payment-allow',
      '',
    ].join('\n'));
  });

  test('rows come in chunks of the size given, with the same column widths in every chunk', () => {
    const decisions = [row(), row({ caller: 'a-caller-longer-than-the-rest' }), row({ caller: 'c' })];
    const chunked = [...formatTableLines(decisions, 2)];
    expect(chunked).toHaveLength(3); // the header, rows 1-2, row 3
    expect(chunked[1].split('\n')).toHaveLength(3);
    expect(chunked.join('')).toBe([...formatTableLines(decisions)].join(''));
    expect([...formatTableLines(decisions, 1)]).toHaveLength(4);
    expect([...formatTableLines(decisions, 3)]).toHaveLength(2);
  });
});

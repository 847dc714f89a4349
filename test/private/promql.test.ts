import { promSelector } from '../../src/private/promql';

describe('private/promql: promSelector', () => {
  test('no label: the empty selector', () => {
    expect(promSelector([])).toBe('{}');
  });

  test('labels in the order given, "=" unless an operator is given', () => {
    expect(promSelector([['app', 'payment']])).toBe('{app="payment"}');
    expect(promSelector([['a', '1', '='], ['b', '2|3', '=~'], ['c', '4', '!~'], ['d', '', '!=']])).toBe('{a="1",b=~"2|3",c!~"4",d!=""}');
  });

  test('quotes, backslashes and line breaks in a value are escaped, so the selector stays one PromQL string per value', () => {
    expect(promSelector([['path', 'a"b\\c\nd']])).toBe('{path="a\\"b\\\\c\\nd"}');
    // a regex's backslash survives: PromQL reads "\\." back as \.
    expect(promSelector([['host', 'api\\.example', '=~']])).toBe('{host=~"api\\\\.example"}');
  });
});

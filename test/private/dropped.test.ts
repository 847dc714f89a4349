import { ApiObject, Testing } from 'cdk8s';
import { addDroppedNote, droppedEntries, isJoined, markJoined } from '../../src/private/dropped';
import { DROPPED_ANNOTATION } from '../../src/private/metadata';

const obj = (annotations?: { [k: string]: string }) => new ApiObject(Testing.chart(), 'o', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'o', annotations } });
const note = (o: ApiObject) => o.toJson().metadata.annotations?.[DROPPED_ANNOTATION];

describe('addDroppedNote: the one way a pattern writes the dropped-settings annotation', () => {
  test('the notes of several patterns are joined, in sorted order whichever came first, each setting once', () => {
    for (const order of [['rateLimit=100/s', 'istioMode=FEDERATED, linkerdRemoteDiscovery=true'], ['istioMode=FEDERATED, linkerdRemoteDiscovery=true', 'rateLimit=100/s']]) {
      const o = obj();
      for (const n of order) addDroppedNote(o, n);
      addDroppedNote(o, order[0]); // a pattern noting again
      addDroppedNote(o, 'istioMode=FEDERATED'); // an entry already there
      expect(note(o)).toBe('istioMode=FEDERATED, linkerdRemoteDiscovery=true, rateLimit=100/s');
    }
  });

  test('a note written with the object is kept; no note writes nothing', () => {
    const o = obj({ [DROPPED_ANNOTATION]: 'timeout=3s' });
    addDroppedNote(o, 'mirror=v3 10%');
    expect(note(o)).toBe('mirror=v3 10%, timeout=3s');
    const none = obj();
    addDroppedNote(none, undefined);
    addDroppedNote(none, '');
    expect(note(none)).toBeUndefined();
  });

  test('the entries are sorted by setting, within a note and across notes (a note keeps no order of its own)', () => {
    for (const order of [['rateLimit=100/s, circuitBreaker.minHealthPercent=50', 'rateLimit.overrides=1 override(s), connectionPool.maxConnections=10'],
      ['rateLimit.overrides=1 override(s), connectionPool.maxConnections=10', 'rateLimit=100/s, circuitBreaker.minHealthPercent=50']]) {
      const o = obj();
      for (const n of order) addDroppedNote(o, n);
      // `rateLimit` before `rateLimit.overrides` (by setting, not by the text `rateLimit.` < `rateLimit=`)
      expect(note(o)).toBe('circuitBreaker.minHealthPercent=50, connectionPool.maxConnections=10, rateLimit=100/s, rateLimit.overrides=1 override(s)');
    }
  });

  test('entries are split on `, setting=` only (a value may hold a comma)', () => {
    expect(droppedEntries('retries.retryOn=reset,connect-failure, mirror=v3 10%')).toEqual(['retries.retryOn=reset,connect-failure', 'mirror=v3 10%']);
  });

  test('markJoined', () => {
    const o = obj();
    expect(isJoined(o)).toBe(false);
    markJoined(o);
    expect(isJoined(o)).toBe(true);
  });
});

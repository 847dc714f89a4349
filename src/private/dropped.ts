import { ApiObject } from 'cdk8s';
import { DROPPED_ANNOTATION } from './metadata';

// the notes each object was given, and the objects shared by several patterns (they get notes only
// through their own joining methods: ConsulServiceDefaults, LinkerdServer, ServiceTraffic)
const NOTES = new WeakMap<ApiObject, Set<string>>();
const JOINED = new WeakSet<ApiObject>();

/** The `setting=value` entries of a dropped-settings note. */
export function droppedEntries(note: string): string[] {
  return note.split(/, (?=[A-Za-z][\w.[\]]*=)/);
}

/**
 * Adds a pattern's note to the `cdk8s-mesh.io/dropped-settings` annotation of `obj`, joined with the
 * notes other patterns gave it: the entries sorted (so that the value does not depend on which pattern
 * was created first, nor on the order of a pattern's checks), each once. The one way any pattern writes
 * the annotation.
 */
export function addDroppedNote(obj: ApiObject, note: string | undefined): void {
  if (!note) return;
  let notes = NOTES.get(obj);
  if (!notes) {
    // a note written with the object's metadata (objectMetadata) is the first
    const given = obj.metadata.toJson().annotations?.[DROPPED_ANNOTATION];
    notes = new Set(typeof given === 'string' && given ? [given] : []);
    NOTES.set(obj, notes);
  }
  notes.add(note);
  // by setting (`rateLimit` before `rateLimit.overrides`), then value
  const key = (e: string) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)];
  const entries = [...new Set([...notes].flatMap(droppedEntries))]
    .sort((a, b) => { const [x, y] = [key(a), key(b)]; return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0; });
  obj.metadata.addAnnotation(DROPPED_ANNOTATION, entries.join(', '));
}

/** Marks `obj` as shared by several patterns: a pattern notes it through its joining method only. */
export function markJoined(obj: ApiObject): void {
  JOINED.add(obj);
}

/** Whether `obj` is shared by several patterns (markJoined). */
export function isJoined(obj: ApiObject): boolean {
  return JOINED.has(obj);
}

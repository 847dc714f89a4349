import { Severity } from '../findings';
import { Doc, RawFinding } from '../private/context';
import { firstDifference, objectKey } from '../private/duplicates';
import { AnalyzerRule, at } from '../private/rule';

/** Where the first copy of an object is, for the message. */
function where(d: Doc): string {
  const parts = [d.file, d.documentIndex !== undefined ? `doc ${d.documentIndex}` : undefined].filter(x => x !== undefined);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** Objects with one identity (API group, kind, namespace, name), in document order: each later copy with the first one. */
function duplicates(docs: Doc[], defaultNamespace: string): { first: Doc; again: Doc; difference?: string }[] {
  const seen = new Map<string, Doc>();
  const out: { first: Doc; again: Doc; difference?: string }[] = [];
  for (const d of docs) {
    const key = objectKey(d.obj, defaultNamespace);
    if (key === undefined) continue;
    const first = seen.get(key);
    if (!first) seen.set(key, d);
    else out.push({ first, again: d, difference: firstDifference(first.obj, d.obj) });
  }
  return out;
}

/** Rules on any mesh's output: the objects of one cluster as Kubernetes stores them. */
export const KUBERNETES_RULES: AnalyzerRule[] = [
  {
    code: 'K101',
    severity: Severity.ERROR,
    mesh: 'any',
    kinds: ['*'],
    upstream: 'Kubernetes: one object per group, kind, namespace and name (kubectl apply: the last applied wins)',
    summary: 'one object (API group, kind, namespace, name) is defined twice with different content: the one applied last replaces the other',
    check(ctx): RawFinding[] {
      return duplicates(ctx.docs, ctx.assumptions.defaultNamespace).filter(x => x.difference !== undefined).map(x => at(x.again, [],
        `also defined${where(x.first)} with different content (they differ at ${x.difference}): applied together, the one applied last replaces the other; define the object once, merging the two`));
    },
  },
  {
    code: 'K102',
    severity: Severity.WARNING,
    mesh: 'any',
    kinds: ['*'],
    upstream: 'kustomize: may not add resource with an already registered id; Argo CD: RepeatedResourceWarning',
    summary: 'one object is defined twice with the same content: kustomize refuses it and Argo CD warns',
    check(ctx): RawFinding[] {
      return duplicates(ctx.docs, ctx.assumptions.defaultNamespace).filter(x => x.difference === undefined).map(x => at(x.again, [],
        `also defined${where(x.first)} with the same content: define the object once`));
    },
  },
];

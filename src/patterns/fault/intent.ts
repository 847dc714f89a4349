import { ServiceRef } from '../../model/service';
import { FaultIntent } from '../../model/traffic';

/** What a mesh's FaultInjection renderer reads. */
export interface FaultInjectionIntent {
  /** The service whose callers get the faults. */
  readonly service: ServiceRef;
  /** The fault rules, in order (the first matching one applies). */
  readonly faults: FaultIntent[];
  /** The first rule's fault, as a prop and its value, for a refusal (`rules[0].delay`, 10). */
  readonly first: { readonly setting: string; readonly value: unknown };
}

import type { FaultInjectionIntent } from '../../patterns/fault/intent';
import { PatternRenderer } from '../renderer';

/** Linkerd has no fault injection: every FaultInjection is refused (never dropped: it would test nothing). */
export const LINKERD_FAULT: PatternRenderer<FaultInjectionIntent> = {
  unsupported(intent: FaultInjectionIntent) {
    return [{
      ...intent.first,
      why: 'Linkerd has no fault injection',
      alternative: 'inject faults in a test client or the application, or route a share of test traffic to a Service that returns errors',
      keep: 'nothing would be written, and a fault test would test nothing',
    }];
  },
  render() {},
};

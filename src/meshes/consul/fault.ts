import type { FaultInjectionIntent } from '../../patterns/fault/intent';
import { PatternRenderer } from '../renderer';

/** Consul has no fault injection (only through Envoy extensions): every FaultInjection is refused. */
export const CONSUL_FAULT: PatternRenderer<FaultInjectionIntent> = {
  unsupported(intent: FaultInjectionIntent) {
    return [{
      ...intent.first,
      why: 'Consul has no fault injection (only through Envoy extensions)',
      alternative: 'inject faults in a test client or the application, or use a ProxyDefaults envoyExtensions Lua filter',
      keep: 'nothing would be written, and a fault test would test nothing',
    }];
  },
  render() {},
};

/**
 * istioctl analyze messages that are accepted on the example output, each with the reason
 * (mirrored in docs/conformance.md). Anything else at Warning or Error level fails `npm run conformance`.
 */
export interface IstioException {
  /** The IST code. */
  readonly code: string;
  /** The message's origin (e.g. `VirtualService shop/payment`); any when absent. */
  readonly origin?: RegExp;
  /** The deployable output (e.g. `istio-ambient`); any when absent. */
  readonly unit?: RegExp;
  /** Why it is acceptable. */
  readonly reason: string;
}

export const ISTIO_EXCEPTIONS: IstioException[] = [];

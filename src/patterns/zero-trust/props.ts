import { ServiceRef } from '../../model/service';

/**
 * The mTLS phase of a namespace: the migration the seeds recommend is PERMISSIVE first, then STRICT.
 */
export enum MtlsPhase {
  /** Accept mTLS and plaintext while workloads join the mesh (Linkerd: authorization in audit mode). */
  PERMISSIVE = 'PERMISSIVE',
  /** Accept mTLS only (Linkerd: authorization enforced). */
  STRICT = 'STRICT',
}

/**
 * The mTLS mode of an exception.
 */
export enum MtlsExceptionMode {
  /** Accept plaintext and mTLS on the port. */
  PERMISSIVE = 'PERMISSIVE',
  /** Plaintext only on the port (Istio only). */
  DISABLE = 'DISABLE',
}

/**
 * A port of a workload exempt from the namespace's mTLS phase, e.g. a metrics port scraped from
 * outside the mesh, or a legacy client's port.
 */
export interface MtlsException {
  /** The service whose pods have the port. */
  readonly service: ServiceRef;
  /** The pod (container) port. */
  readonly port: number;
  /** The port's mode. */
  readonly mode: MtlsExceptionMode;
  /** Why the exception exists (written on the output, for reviewers). */
  readonly reason: string;
}

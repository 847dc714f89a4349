import { EgressProtocol } from './props';
import type { OwnedSettings } from '../../model/owned';
import { ServiceRef } from '../../model/service';

/** One external host, checked, with its object name. */
export interface EgressHost {
  readonly host: string;
  readonly protocol: EgressProtocol;
  readonly port: number;
  readonly originateTls: boolean;
  readonly tlsPort: number;
  readonly addresses: string[];
  readonly slug: string;
}

/** What a mesh's EgressPolicy renderer reads. */
export interface EgressIntent {
  /** The namespace whose workloads call out. */
  readonly namespace: string;
  /** Whether other external destinations are refused. */
  readonly registryOnly: boolean;
  readonly hosts: EgressHost[];
  /** The services allowed to call (Consul); empty: every workload of the namespace. */
  readonly callers: ServiceRef[];
  /** The Consul terminating gateway's name, if given. */
  readonly consulTerminatingGateway?: string;
}

/** The settings of EgressPolicy that one mesh owns; a renderer lists those it reads (EgressRenderer.reads). */
export type EgressOwnedSetting = 'consulTerminatingGateway';

/** EgressPolicy's owned settings: refused after the renderer's unsupported settings where unread, droppable. */
export const EGRESS_OWNED: OwnedSettings<EgressIntent, EgressOwnedSetting> = {
  consulTerminatingGateway: { why: 'it names a Consul gateway', value: i => i.consulTerminatingGateway, droppable: true },
};

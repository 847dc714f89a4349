import { IConstruct } from 'constructs';
import type { MtlsException, MtlsPhase } from './props';
import { Identity } from '../../model/identity';
import type { JwtAuthentication } from '../../model/jwt';
import { HttpMethod, MatchType } from '../../model/matches';
import { ServiceRef } from '../../model/service';

/** A normalized access rule. */
export interface RuleIntent {
  readonly name: string;
  readonly source: string;
  readonly from: Identity[];
  readonly to: ServiceRef;
  readonly methods?: HttpMethod[];
  readonly paths?: { type: MatchType; value: string }[];
  readonly requireJwt: boolean;
}

/** Everything a renderer needs. */
export interface ZeroTrustIntent {
  readonly namespace: string;
  readonly phase: MtlsPhase;
  readonly exceptions: MtlsException[];
  readonly allow: RuleIntent[];
  readonly deny: RuleIntent[];
  readonly jwt?: JwtAuthentication & { providerName: string };
  readonly namespaceObject?: IConstruct;
}

/** A mesh's zero-trust renderer. */

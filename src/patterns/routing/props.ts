// VersionedRouting's and FaultInjection's matches are shared public types, in src/model/matches.ts (a props file
// imports no other pattern's file): re-exported here for the old imports
export { QueryParamMatch } from '../../model/matches';
export type { RequestMatch } from '../../model/matches';

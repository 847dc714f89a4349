import { IConstruct } from 'constructs';
import { AccessLoggingOptions, MetricsOptions, TracingOptions } from './props';
import { ServiceRef } from '../../model/service';

/** What a mesh's TrafficTelemetry renderer reads (the props, checked). */
export interface TelemetryIntent {
  /** The namespace. */
  readonly namespace: string;
  /** The one service the telemetry is for, if not the whole namespace. */
  readonly service?: ServiceRef;
  readonly tracing?: TracingOptions;
  readonly accessLogging?: AccessLoggingOptions;
  readonly metrics?: MetricsOptions;
  /** The tracing sampling percentage, if tracing is configured. */
  readonly samplingPercentage?: number;
  /** The namespace's Namespace object, if given. */
  readonly namespaceObject?: IConstruct;
}

import { Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { show } from './errors';
import { objectMetadata } from './metadata';
import * as consul from '../imports/consul';

interface Contribution<T> {
  readonly value: T;
  readonly by: string;
}

/**
 * The one mesh-wide `ProxyDefaults` config entry (Consul requires the name `global`) of a chart.
 * Zero trust sets its mutual TLS mode and telemetry its access logs; contributions to the same field
 * that disagree are refused at once, naming both constructs.
 */
export class ConsulProxyDefaults extends Construct {
  /** The entry of the chart of `scope`, created on first use in `namespace`. */
  public static of(scope: Construct, namespace: string | undefined): ConsulProxyDefaults {
    const chart = Chart.of(scope);
    const id = 'ConsulProxyDefaults-global';
    return (chart.node.tryFindChild(id) as ConsulProxyDefaults | undefined) ?? new ConsulProxyDefaults(chart, id, namespace);
  }

  private mutualTlsMode?: Contribution<string>;
  private accessLogs?: Contribution<consul.ProxyDefaultsSpecAccessLogs>;

  private constructor(scope: Construct, id: string, namespace: string | undefined) {
    super(scope, id);
    new consul.ProxyDefaults(this, 'Resource', {
      metadata: objectMetadata('global', namespace),
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
  }

  public setMutualTlsMode(mode: string, by: string): void {
    this.mutualTlsMode = this.merge('mutualTlsMode', this.mutualTlsMode, { value: mode, by });
  }

  public setAccessLogs(value: consul.ProxyDefaultsSpecAccessLogs, by: string): void {
    this.accessLogs = this.merge('accessLogs', this.accessLogs, { value, by });
  }

  private merge<T>(field: string, current: Contribution<T> | undefined, next: Contribution<T>): Contribution<T> {
    if (current && JSON.stringify(current.value) !== JSON.stringify(next.value)) {
      throw new Error(`[${next.by}] ProxyDefaults global: ${field}: got ${show(next.value)}, but [${current.by}] already set ${show(current.value)}; Consul allows one mesh-wide ProxyDefaults: make the two constructs agree`);
    }
    return current ?? next;
  }

  private renderSpec(): consul.ProxyDefaultsSpec {
    return {
      mutualTlsMode: this.mutualTlsMode?.value,
      accessLogs: this.accessLogs?.value,
    };
  }
}

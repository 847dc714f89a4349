import { Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { agree, Contribution } from './singletons';
import * as consul from '../../imports/consul';
import { addShared } from '../../private/contributions';
import { addDroppedNote, markJoined } from '../../private/dropped';
import { objectMetadata } from '../../private/metadata';

/**
 * The one `ServiceDefaults` config entry of a Consul service in a chart. Consul allows one entry
 * per service, so every pattern that needs a field of it contributes here; contributions that
 * disagree are refused at once, naming both constructs.
 */
export class ConsulServiceDefaults extends Construct {
  /** The entry of `service` in the chart of `scope`, created on first use. */
  public static of(scope: Construct, service: string, namespace: string | undefined): ConsulServiceDefaults {
    const chart = Chart.of(scope);
    const id = `ConsulServiceDefaults-${namespace ?? ''}-${service}`;
    const defaults = (chart.node.tryFindChild(id) as ConsulServiceDefaults | undefined) ?? new ConsulServiceDefaults(chart, id, service, namespace);
    addShared(scope, defaults);
    return defaults;
  }

  private protocol?: Contribution<string>;
  private destination?: Contribution<consul.ServiceDefaultsSpecDestination>;
  private rateLimit?: Contribution<{ requestsPerSecond: number; requestsMaxBurst: number }>;
  private readonly upstreams = new Map<string, Contribution<consul.ServiceDefaultsSpecUpstreamConfigOverrides>>();

  private constructor(scope: Construct, id: string, private readonly service: string, namespace: string | undefined) {
    super(scope, id);
    markJoined(new consul.ServiceDefaults(this, 'Resource', {
      metadata: objectMetadata(service, namespace),
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    }));
  }

  public setProtocol(protocol: string, by: string): void {
    this.protocol = this.merge('protocol', this.protocol, { value: protocol, by });
  }

  public setDestination(value: consul.ServiceDefaultsSpecDestination, by: string): void {
    this.destination = this.merge('destination', this.destination, { value, by });
  }

  public setRateLimit(value: { requestsPerSecond: number; requestsMaxBurst: number }, by: string): void {
    this.rateLimit = this.merge('rateLimits', this.rateLimit, { value, by });
  }

  public addUpstreamOverride(upstream: string, override: consul.ServiceDefaultsSpecUpstreamConfigOverrides, by: string): void {
    const merged = this.merge(`upstreamConfig.overrides[${upstream}]`, this.upstreams.get(upstream), { value: override, by });
    this.upstreams.set(upstream, merged);
  }

  /**
   * Adds a pattern's dropped-settings note, joined with the notes of the other patterns that contribute to
   * the entry (addDroppedNote).
   */
  public addDroppedNote(note: string | undefined): void {
    addDroppedNote(this.node.defaultChild as consul.ServiceDefaults, note);
  }

  private merge<T>(field: string, current: Contribution<T> | undefined, next: Contribution<T>): Contribution<T> {
    return agree(`ServiceDefaults ${this.service}`, 'Consul allows one ServiceDefaults per service', field, current, next);
  }

  private renderSpec(): consul.ServiceDefaultsSpec {
    const overrides = [...this.upstreams.keys()].sort().map(k => this.upstreams.get(k)!.value);
    return {
      protocol: this.protocol?.value,
      destination: this.destination?.value,
      rateLimits: this.rateLimit ? { instanceLevel: this.rateLimit.value } : undefined,
      upstreamConfig: overrides.length ? { overrides } : undefined,
    };
  }
}


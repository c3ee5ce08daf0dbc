/**
 * Native host figures: cold start (spawn → version message, what a browser
 * waits for on first use) and the status round trip while warm.
 */
import { HostProcess } from '../../tests/helpers/host-process.js';
import { median, ms, percentile, row } from './stats.js';

export async function benchHost(env: NodeJS.ProcessEnv = {}): Promise<void> {
  console.log('Native host');
  const coldStarts: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    const host = new HostProcess(env);
    await host.next();
    coldStarts.push(performance.now() - t0);
    await host.close();
  }
  row('cold start, spawn → version (median of 15)', ms(median(coldStarts)));
  row('cold start, p90', ms(percentile(coldStarts, 90)));

  const host = new HostProcess(env);
  await host.next();
  const t0 = performance.now();
  await host.request('status', {}, 'first');
  row('first status after start', ms(performance.now() - t0));
  const trips = await statusRoundTrips(host, 200);
  row('status round trip (median of 200)', ms(median(trips)));
  row('status round trip p99', ms(percentile(trips, 99)));
  await host.close();
}

/** The times of `count` status requests, one after the other, on a started host. */
export async function statusRoundTrips(host: HostProcess, count: number): Promise<number[]> {
  const trips: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await host.request('status', {}, i);
    trips.push(performance.now() - t);
  }
  return trips;
}

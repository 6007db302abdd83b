import client from 'prom-client';

/**
 * Gauges the primary reports itself for the whole node (its admission sees every worker): the
 * workers' own copies are left out, so they are not added on top.
 */
const NODE_GAUGES = new Set([
  'callchart_admission_max_calls',
  'callchart_admission_load',
  'callchart_event_loop_delay_p99_ms',
  'callchart_provider_limit',
]);

/**
 * The primary's /metrics with WORKERS > 1: its own registry plus every worker's, aggregated the way
 * prom-client's cluster support does (AggregatorRegistry.aggregate): counters and histograms are
 * summed over the workers, so callchart_calls_total and the latency histograms describe the node.
 */
export async function aggregatedMetrics(
  primary: client.Registry,
  workers: unknown[][],
): Promise<{ body: string; contentType: string }> {
  const own = await primary.getMetricsAsJSON();
  const theirs = workers.map((list) =>
    (list as client.MetricObjectWithValues<client.MetricValue<string>>[]).filter(
      (m) => !NODE_GAUGES.has(m.name),
    ),
  );
  const registry = client.AggregatorRegistry.aggregate([
    own as client.MetricObjectWithValues<client.MetricValue<string>>[],
    ...theirs,
  ]);
  return { body: await registry.metrics(), contentType: registry.contentType };
}

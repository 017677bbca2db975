/** A metric of an embedded-metric-format line: its name, unit and the value the line carries for it. */
export type ExpectedMetric = readonly [name: string, unit: 'Count' | 'Milliseconds', value: unknown];

/**
 * The one EMF line Powertools Metrics publishes for `metrics`, in their order, under this project's namespace and
 * service dimension: what a handler test expects `metricLines()` to hold.
 */
export function emfLine(metrics: readonly ExpectedMetric[]): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: expect.any(Number),
      CloudWatchMetrics: [
        {
          Namespace: 'AiOptOutConfigRule',
          Dimensions: [['service']],
          Metrics: metrics.map(([name, unit]) => ({ Name: name, Unit: unit })),
        },
      ],
    },
    service: 'ai-opt-out-config-rule',
    ...Object.fromEntries(metrics.map(([name, , value]) => [name, value])),
  };
}

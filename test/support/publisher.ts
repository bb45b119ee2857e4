/**
 * The stream publisher on the emulators, for integration tests: built by its wiring on a given SNS
 * client, with what its metrics counted and its log said; or imported as deployed (the handler
 * module, its configuration from the environment) with what it printed.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SNSClient } from '@aws-sdk/client-sns';
import { vi } from 'vitest';
import { loadPublisherConfig } from '../../functions/publisher/config';
import { publisherMetrics } from '../../functions/publisher/metrics';
import { createPublisher } from '../../functions/publisher/wiring';
import { lambdaContext } from '../../local/fixtures/lambda';
import { recordingLog } from '../../local/fixtures/sweep';
import type { LocalResources } from '../../local/local-resources';
import { createPublisherPump, type DrainResult } from '../../local/stream-pump';

/** The publisher for `resources` on `sns`, pumped from the loans stream through the filters. */
export function publisherOn(resources: LocalResources, sns: SNSClient) {
  const log = recordingLog();
  const counted = new Map<string, number>();
  const metrics = {
    addMetric: (name: string, _unit: unknown, value: number) =>
      counted.set(name, (counted.get(name) ?? 0) + value),
  } as unknown as Metrics;
  const publish = createPublisher(
    { sns },
    loadPublisherConfig({ ...process.env, ...resources.env }),
    { report: publisherMetrics(log, metrics) },
  );
  const pump = createPublisherPump(resources.loansStreamArn, publish, { maxRetries: 2 });
  return { publish, pump, log, counted };
}

/**
 * Drains the loans stream once into the deployed handler (imported afresh in `resources`'
 * environment) and returns what Powertools printed, each line parsed: log lines and EMF metrics.
 */
export async function drainIntoDeployedPublisher(
  resources: LocalResources,
): Promise<{ readonly drained: DrainResult; readonly printed: Record<string, unknown>[] }> {
  // In dev mode Powertools writes through the console, where the lines can be caught.
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  for (const [name, value] of Object.entries(resources.env)) vi.stubEnv(name, value);
  vi.resetModules();
  const printed: string[] = [];
  const capture = (...args: unknown[]) => printed.push(args.map(String).join(' '));
  const spies = (['log', 'info', 'warn', 'error'] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation(capture),
  );
  try {
    const { handler } = await import('../../functions/publisher/handler');
    const pump = createPublisherPump(resources.loansStreamArn, (event) =>
      handler(event, lambdaContext('publisher')),
    );
    const drained = await pump.drain();
    return { drained, printed: printed.map((text) => JSON.parse(text) as Record<string, unknown>) };
  } finally {
    for (const spy of spies) spy.mockRestore();
    vi.unstubAllEnvs();
  }
}

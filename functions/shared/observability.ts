/**
 * Logs and metrics, built the same way for every function: Powertools JSON logs and EMF metrics in
 * the `OverdueSweep` namespace, with the function's service name as the `service` dimension.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, type ServiceName } from '../contract/observability';

/** The logger and metrics of one function; create once at module scope. */
export function createObservability(serviceName: ServiceName): {
  readonly logger: Logger;
  readonly metrics: Metrics;
} {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }),
  };
}

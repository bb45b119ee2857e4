/**
 * The sweep-run workflow for integration tests: the definition the stack synthesizes, run on the
 * local interpreter exactly as `npm start` runs it (local/workflow.ts), its Lambda tasks
 * answered by the sweep on this file's resources — built by the product's wiring, or the real
 * handler — with a time budget and faults the test chooses.
 */
import type { RunHandOff } from '../../functions/sweep/ports';
import type { TimeBudget } from '../../functions/sweep/run';
import { type SweeperOptions, sweeper } from '../../local/fixtures/sweep';
import type { LocalResources } from '../../local/local-resources';
import {
  type LocalFunction,
  type LocalWorkflow,
  startExecution,
  synthesizedWorkflow,
  type WorkflowEvent,
  type WorkflowResult,
} from '../../local/workflow';

let synthesized: LocalWorkflow | undefined;

/** The synthesized workflow (synthesized once per test file). */
export function workflow(): LocalWorkflow {
  synthesized ??= synthesizedWorkflow();
  return synthesized;
}

/** The sweep on `resources` as the workflow's Lambda function, every invocation on `budget`. */
export function sweepFunction(
  resources: LocalResources,
  options: SweeperOptions & { budget?: () => TimeBudget } = {},
): LocalFunction {
  const sweep = sweeper(resources, options);
  const budget = options.budget ?? (() => ({ exhausted: () => false }));
  return (event) => sweep.run(event, budget());
}

/** An execution's end and every event it logged. */
export interface Execution {
  readonly executionArn: string;
  readonly result: WorkflowResult;
  readonly events: readonly WorkflowEvent[];
}

/** Runs one execution of the workflow with `input`, its tasks answered by `fn`. */
export async function execute(
  fn: LocalFunction,
  input: unknown,
  name?: string,
): Promise<Execution> {
  const events: WorkflowEvent[] = [];
  const definition = workflow();
  const started = startExecution(definition, { [definition.sweepFunctionArn]: fn }, input, {
    retryIntervalMs: 1,
    onEvent: (event) => events.push(event),
    ...(name && { name }),
  });
  return { executionArn: started.executionArn, result: await started.result, events };
}

/** The output of a succeeded execution (fails the test otherwise, saying why). */
export function outputOf<T>(execution: Execution): T {
  if (execution.result.status !== 'SUCCEEDED') {
    throw new Error(`execution did not succeed: ${JSON.stringify(execution.result)}`);
  }
  return execution.result.output as T;
}

/** How often each state was entered, by name (and map iteration where there is one). */
export function entries(execution: Execution, stateName: string): number[] {
  return execution.events
    .filter((e) => e.type === 'StateEntered' && e.state?.name === stateName)
    .map((e) => e.index ?? -1);
}

/**
 * A hand-off that starts executions of the local workflow (as StartExecution would on AWS),
 * keeping each started execution so a test can wait for it.
 */
export function localHandOff(fn: () => LocalFunction) {
  const started: Promise<Execution>[] = [];
  const handOff: RunHandOff = {
    async start(input, name) {
      const definition = workflow();
      const events: WorkflowEvent[] = [];
      const execution = startExecution(definition, { [definition.sweepFunctionArn]: fn() }, input, {
        name,
        retryIntervalMs: 1,
        onEvent: (event) => events.push(event),
      });
      started.push(
        execution.result.then((result) => ({
          executionArn: execution.executionArn,
          result,
          events,
        })),
      );
      return { executionArn: execution.executionArn };
    },
  };
  return { handOff, started };
}

/**
 * Hands the rest of a direct run to a new execution of the sweep-run workflow (docs/contract.md, Workflow):
 * StartExecution with the resume payload as the input, never an invocation of the function itself.
 * And tells whether an execution that sends a workflow step is running (DescribeExecution).
 */
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  InvalidArn,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { ExecutionCheck, RunHandOff } from '../sweep/ports';

/** Step Functions' limit on an execution name, in characters. */
export const EXECUTION_NAME_LIMIT = 80;

/**
 * `name` as an execution name Step Functions accepts and CloudWatch Logs can carry: only letters,
 * digits, `-` and `_` (anything else becomes `-`), at most 80 characters.
 */
export function executionName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, EXECUTION_NAME_LIMIT) || 'sweep-run';
}

/** Starts executions of `stateMachineArn` on `client` (endpoint from the SDK's own variables). */
export function createStepFunctionsHandOff(client: SFNClient, stateMachineArn: string): RunHandOff {
  return {
    async start(input, name) {
      const { executionArn } = await client.send(
        new StartExecutionCommand({
          stateMachineArn,
          name: executionName(name),
          input: JSON.stringify(input),
        }),
      );
      if (!executionArn) throw new Error('StartExecution answered without an execution ARN');
      return { executionArn };
    },
  };
}

/** Whether executions are running, by DescribeExecution on `client`. */
export function createStepFunctionsExecutionCheck(client: SFNClient): ExecutionCheck {
  return {
    async isRunning(executionArn) {
      try {
        const { status } = await client.send(new DescribeExecutionCommand({ executionArn }));
        return status === 'RUNNING';
      } catch (error) {
        // Anything else (throttling, an outage) is thrown: the workflow retries the step.
        if (error instanceof ExecutionDoesNotExist || error instanceof InvalidArn) return false;
        throw error;
      }
    },
  };
}

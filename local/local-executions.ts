/**
 * The executions the local workflow interpreter (local/workflow.ts) is running in this
 * process: what Step Functions' DescribeExecution would say RUNNING of. They answer the sweep's
 * check that a workflow step comes from a running execution (functions/sweep/execution.ts), in
 * process (`localExecutions`) or over HTTP (`serveDescribeExecution`). No AWS or CDK import, so
 * tests can use it cheaply.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionCheck } from '../functions/sweep/ports';

const running = new Set<string>();

/** Marks `executionArn` running (the interpreter started it). */
export function localExecutionStarted(executionArn: string): void {
  running.add(executionArn);
}

/** Marks `executionArn` ended, however it ended. */
export function localExecutionEnded(executionArn: string): void {
  running.delete(executionArn);
}

/** Whether the interpreter is running execution `executionArn` (the sweep's ExecutionCheck). */
export const localExecutions: ExecutionCheck = {
  isRunning: async (executionArn) => running.has(executionArn),
};

/**
 * A local Step Functions endpoint answering DescribeExecution (the JSON 1.0 protocol the SDK
 * speaks) for the executions the interpreter runs: the real sweep handler, pointed at it with
 * `AWS_ENDPOINT_URL_SFN`, checks its workflow steps there as on AWS. Every other call is refused.
 */
export async function serveDescribeExecution(): Promise<{
  url: string;
  close: () => Promise<void>;
}> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify(body));
      };
      const target = String(request.headers['x-amz-target'] ?? '');
      if (target !== 'AWSStepFunctions.DescribeExecution') {
        return answer(400, { __type: 'UnknownOperationException', message: target });
      }
      let executionArn = '';
      try {
        executionArn = String(
          (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { executionArn?: unknown })
            .executionArn ?? '',
        );
      } catch {
        return answer(400, { __type: 'InvalidArn', message: 'not JSON' });
      }
      if (!running.has(executionArn)) {
        return answer(400, { __type: 'ExecutionDoesNotExist', message: executionArn });
      }
      const [, stateMachine = '', name = ''] =
        /^(.*):execution:([^:]+):([^:]+)$/.exec(executionArn) ?? [];
      return answer(200, {
        executionArn,
        stateMachineArn: `${executionArn.slice(0, executionArn.indexOf(':execution:'))}:stateMachine:${stateMachine.split('/')[0]}`,
        name,
        status: 'RUNNING',
        startDate: Date.now() / 1000,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Never what keeps a command's process alive.
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

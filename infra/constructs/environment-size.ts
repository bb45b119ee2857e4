/**
 * Lambda refuses a function whose environment variables take more than 4 KB together, and says
 * so only at deploy time, half-way through a stack update. This check refuses it at synth, for
 * every function of a stack, naming the function and its largest variables.
 */
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct, IConstruct } from 'constructs';

/** Lambda's quota on all of a function's environment variables together, bytes. */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/**
 * Bytes counted for a value CloudFormation fills in at deploy (a generated table name, an ARN).
 * The longest in this stack is an SNS topic ARN: `arn:aws:sns:<region>:<account>:` (≤ 45) and a
 * generated `<stack>-<logical id>-<suffix>` name (≤ 70 with this stack's name); 128 leaves room.
 */
export const DEPLOY_TIME_VALUE_BYTES = 128;

/** The longest value of each pseudo parameter an ARN is built from (`aws-iso-b`, `us-isof-south-1`). */
const PSEUDO_PARAMETER_BYTES: Readonly<Record<string, number>> = {
  'AWS::Partition': 16,
  'AWS::Region': 20,
  'AWS::AccountId': 12,
  'AWS::URLSuffix': 20,
};

/** One function's environment as Lambda will measure it. */
export interface EnvironmentSize {
  /** The function's construct path, e.g. `OverdueSweep/Sweep/Function`. */
  readonly path: string;
  /** Bytes of the JSON of all its variables (what Lambda measures), deploy-time values estimated. */
  readonly bytes: number;
  /** Each variable's key and value, bytes, largest first. */
  readonly variables: readonly { readonly name: string; readonly bytes: number }[];
}

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * A resolved template value as text at least as long as it will be once deployed: literals as
 * they are, a pseudo parameter as its longest value, any other intrinsic (Ref, Fn::GetAtt, …) as
 * `DEPLOY_TIME_VALUE_BYTES` characters, joins joined.
 */
function deployedText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const join = record['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return (join[1] as unknown[]).map(deployedText).join(join[0]);
    }
    const pseudo = typeof record.Ref === 'string' ? PSEUDO_PARAMETER_BYTES[record.Ref] : undefined;
    if (pseudo !== undefined) return 'x'.repeat(pseudo);
  }
  return 'x'.repeat(DEPLOY_TIME_VALUE_BYTES);
}

/** The environment size of every Lambda function under `scope`, as Lambda will measure it. */
export function environmentSizes(scope: Construct): EnvironmentSize[] {
  const stack = Stack.of(scope);
  return scope.node
    .findAll()
    .filter((construct: IConstruct): construct is lambda.CfnFunction =>
      lambda.CfnFunction.isCfnFunction(construct),
    )
    .map((fn) => {
      const resolved = stack.resolve(fn.environment) as { variables?: unknown } | undefined;
      const raw = (resolved?.variables ?? {}) as Record<string, unknown>;
      const variables = Object.fromEntries(
        Object.entries(raw).map(([name, value]) => [name, deployedText(value)]),
      );
      return {
        path: (fn.node.scope ?? fn).node.path,
        // Lambda measures the JSON of the variables (its error quotes "String measured: {…}"), so
        // the quotes inside a JSON value such as FEE_POLICY count twice.
        bytes: Object.keys(variables).length === 0 ? 0 : utf8Bytes(JSON.stringify(variables)),
        variables: Object.entries(variables)
          .map(([name, value]) => ({
            name,
            bytes: utf8Bytes(JSON.stringify({ [name]: value })) - 2,
          }))
          .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name)),
      };
    });
}

/** The refusal for one function over the limit: its size and its largest variables. */
export function environmentTooLarge(size: EnvironmentSize): string {
  const largest = size.variables
    .slice(0, 3)
    .map((variable) => `${variable.name} ${variable.bytes.toLocaleString('en')} bytes`)
    .join(', ');
  return (
    `${size.path}: its environment variables would take ${size.bytes.toLocaleString('en')} bytes, ` +
    `over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT_BYTES.toLocaleString('en')}-byte limit for all of a ` +
    `function's variables together (largest: ${largest}); shorten the largest (a fee or contact ` +
    'policy need only name what differs from its defaults)'
  );
}

/** Adds the check to `stack`: synth fails when any function's environment would pass the limit. */
export function checkEnvironmentSizes(stack: Stack): void {
  stack.node.addValidation({
    validate: () =>
      environmentSizes(stack)
        .filter((size) => size.bytes > LAMBDA_ENVIRONMENT_LIMIT_BYTES)
        .map(environmentTooLarge),
  });
}

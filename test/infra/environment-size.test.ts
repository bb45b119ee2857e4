/**
 * Lambda refuses a function whose environment variables pass 4 KB together (as the JSON it
 * measures); synth refuses it first, for every function, naming the function, its size and its
 * largest variables — whatever variable makes it large.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  checkEnvironmentSizes,
  DEPLOY_TIME_VALUE_BYTES,
  environmentSizes,
  LAMBDA_ENVIRONMENT_LIMIT_BYTES,
} from '../../infra/constructs/environment-size';
import { synthesize } from './synth';

/** A valid fee policy of `products` products, each overriding a few fields (≈ 120 bytes each). */
function policyWithProducts(products: number): Record<string, unknown> {
  return {
    default: { lateFee: 1500 },
    products: Object.fromEntries(
      Array.from({ length: products }, (_, i) => [
        `PRODUCT-${String(i).padStart(4, '0')}`,
        { graceDays: 1, lateFee: 1000 + i, maxChargesRatio: 0.05, reminderOffsets: [3, 1, 0] },
      ]),
    ),
  };
}

describe('the environment size check', () => {
  it('passes the default stack, each function well under the limit', () => {
    const { stack } = synthesize();
    const sizes = environmentSizes(stack);
    // The four product functions (the registry's custom resource function has no variables).
    expect(sizes.filter((size) => size.bytes > 0)).toHaveLength(4);
    for (const size of sizes) expect(size.bytes, size.path).toBeLessThan(2048);
  });

  it('measures what Lambda measures: the JSON of the variables, deploy-time values estimated', () => {
    const { stack } = synthesize({ feePolicy: { default: { lateFee: 500 } } });
    const sweep = environmentSizes(stack).find(
      (size) => size.path === 'OverdueSweep/Sweep/Function',
    );
    expect(sweep).toBeDefined();
    const policy = sweep?.variables.find((variable) => variable.name === 'FEE_POLICY');
    // "FEE_POLICY":"{\"default\":{\"lateFee\":500}}": the policy's quotes are escaped.
    expect(policy?.bytes).toBe(
      `"FEE_POLICY":${JSON.stringify('{"default":{"lateFee":500}}')}`.length,
    );
    // A table name is only known at deploy: it counts as the allowance.
    const table = sweep?.variables.find((variable) => variable.name === 'LOANS_TABLE_NAME');
    expect(table?.bytes).toBe('"LOANS_TABLE_NAME":""'.length + DEPLOY_TIME_VALUE_BYTES);
    // An ARN built from pseudo parameters counts their longest values, not the allowance each.
    const arn = sweep?.variables.find((variable) => variable.name === 'SWEEP_STATE_MACHINE_ARN');
    const longest =
      'arn:aws-iso-b:states:us-isof-south-1:123456789012:stateMachine:OverdueSweep-sweep-run';
    expect(arn?.bytes).toBeGreaterThanOrEqual(`"SWEEP_STATE_MACHINE_ARN":"${longest}"`.length);
    expect(arn?.bytes).toBeLessThan(`"SWEEP_STATE_MACHINE_ARN":"${longest}"`.length + 16);
    const sum = sweep?.variables.reduce((total, variable) => total + variable.bytes, 0) ?? 0;
    // {…} around them and a comma between each two.
    expect(sweep?.bytes).toBe(sum + 2 + (sweep?.variables.length ?? 1) - 1);
  });

  it('refuses a fee policy that would take the functions that read it past 4 KB, naming function, size and variable', () => {
    const feePolicy = policyWithProducts(40);
    let message = '';
    try {
      synthesize({ feePolicy });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(
      /OverdueSweep\/Sweep\/Function: its environment variables would take [\d,]+ bytes, over Lambda's 4,096-byte limit for all of a function's variables together \(largest: FEE_POLICY [\d,]+ bytes, /,
    );
    expect(message).toContain('OverdueSweep/Reminder/Function: its environment variables');
    // The publisher reads the policy too (to tell an unreachable loan from a paid one).
    expect(message).toContain(
      'OverdueSweep/Publisher/Function/Function: its environment variables',
    );
    // The function without the policy is not named.
    expect(message).not.toContain('Reporting/Function');
  });

  it('accepts the largest policy that fits, and refuses one product more', () => {
    // The sweep has the most variables: without a policy, its size; each policy adds its entry.
    const base = environmentSizes(synthesize().stack).find(
      (size) => size.path === 'OverdueSweep/Sweep/Function',
    );
    const withPolicy = (products: number) =>
      (base?.bytes ?? 0) +
      `,"FEE_POLICY":${JSON.stringify(JSON.stringify(policyWithProducts(products)))}`.length;
    let fits = 0;
    while (withPolicy(fits + 1) <= LAMBDA_ENVIRONMENT_LIMIT_BYTES) fits++;
    expect(fits).toBeGreaterThan(10);
    const { stack } = synthesize({ feePolicy: policyWithProducts(fits) });
    const largest = Math.max(...environmentSizes(stack).map((size) => size.bytes));
    expect(largest).toBe(withPolicy(fits));
    expect(() => synthesize({ feePolicy: policyWithProducts(fits + 1) })).toThrow(
      new RegExp(
        `Sweep/Function: its environment variables would take ${withPolicy(fits + 1).toLocaleString('en')} bytes`,
      ),
    );
  });

  it('covers any function and any variable of a stack, not only the fee policy', () => {
    const stack = new Stack(new App(), 'Other');
    new lambda.Function(stack, 'Plain', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {};'),
      timeout: Duration.seconds(3),
      environment: { CONTACT_POLICY: 'x'.repeat(4100) },
    });
    const [size] = environmentSizes(stack);
    expect(size?.path).toBe('Other/Plain');
    // "CONTACT_POLICY": and the quoted value.
    expect(size?.variables[0]).toEqual({ name: 'CONTACT_POLICY', bytes: 17 + 4102 });
    checkEnvironmentSizes(stack);
    expect(() => Template.fromStack(stack)).toThrow(
      /Other\/Plain: its environment variables would take 4,121 bytes, .*\(largest: CONTACT_POLICY 4,119 bytes\)/,
    );
  });
});

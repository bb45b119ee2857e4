import { Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Synthesized, synthesize } from './synth';

let synth: Synthesized;

beforeAll(() => {
  synth = synthesize();
});

/** Every acknowledgement recorded on the construct tree: rule id → reason. */
function acknowledgements(root: IConstruct): Map<string, string> {
  const found = new Map<string, string>();
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.set(`${construct.node.path} ${id}`, reason);
      }
    }
  }
  return found;
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding on the stack', () => {
    const report = new AwsSolutionsChecks().validateScope(synth.app);
    const findings = report.violations.map(
      (v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it.each(['il-central-1', 'eu-west-1', 'cn-north-1'])(
    'reports no unacknowledged finding on the stack bound to %s (-c region=…)',
    (region) => {
      const bound = synthesize({ region });
      const report = new AwsSolutionsChecks().validateScope(bound.app);
      expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    },
  );

  it('would report a finding: an unencrypted queue without TLS or DLQ fails the check', () => {
    const stack = new Stack(synth.app, 'NagControl');
    new sqs.Queue(stack, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    const rules = new AwsSolutionsChecks().validateScope(stack).violations.map((v) => v.ruleName);
    expect(rules).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS2', 'AwsSolutions-SQS3', 'AwsSolutions-SQS4']),
    );
  });

  it('every acknowledgement gives a specific reason', () => {
    const found = acknowledgements(synth.stack);
    expect(found.size).toBeGreaterThan(0);
    for (const [where, reason] of found) {
      expect(reason.length, where).toBeGreaterThan(60);
    }
  });

  it('synthesis adds no error or warning annotation', () => {
    const annotations = Annotations.fromStack(synth.stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });
});

/**
 * The stack deploys in every region of the partitions it targets (cdk.json: aws, aws-cn): bound
 * to each region, CDK's own CloudFormation validation (which knows the resource types each region
 * has) passes, with the test events where EventBridge Schemas exists and without them where it
 * does not; and the regions the stack leaves them out of are exactly those CDK knows lack it.
 */
import { readFileSync } from 'node:fs';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { describe, expect, it } from 'vitest';
import { REGIONS_WITHOUT_EVENTBRIDGE_SCHEMAS } from '../../infra/constructs/test-events';
import { synthesize } from './synth';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: { '@aws-cdk/core:target-partitions': string[] };
};
const targetPartitions = cdkJson.context['@aws-cdk/core:target-partitions'];
const regions = RegionInfo.regions
  .filter((region) => region.partition !== undefined && targetPartitions.includes(region.partition))
  .map((region) => region.name);

const schemaTypes = (region: string) =>
  Object.values(
    synthesize({ region }).template.toJSON().Resources as Record<string, { Type: string }>,
  ).filter((resource) => resource.Type === 'AWS::EventSchemas::Schema');

describe('every target region', () => {
  it('includes each region the stack leaves the test events out of', () => {
    expect(targetPartitions).toEqual(['aws', 'aws-cn']);
    expect(regions.length).toBeGreaterThan(30);
    for (const region of REGIONS_WITHOUT_EVENTBRIDGE_SCHEMAS) expect(regions).toContain(region);
  });

  it.each(regions)(
    '%s: synth passes CDK’s region validation, test events where they can be',
    (region) => {
      const expected = REGIONS_WITHOUT_EVENTBRIDGE_SCHEMAS.includes(region) ? 0 : 1;
      expect(schemaTypes(region)).toHaveLength(expected);
    },
  );

  it.each(REGIONS_WITHOUT_EVENTBRIDGE_SCHEMAS)(
    '%s really lacks EventBridge Schemas: forcing the test events in fails synth',
    (region) => {
      expect(() => synthesize({ region, testEvents: 'true' })).toThrow(
        new RegExp(`'AWS::EventSchemas::Schema' does not exist in '${region}'`),
      );
    },
  );
});

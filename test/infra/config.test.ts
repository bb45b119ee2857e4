import { App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parseTimeOfDay, readStackConfig } from '../../infra/config';
import { REGIONS_WITHOUT_EVENTBRIDGE_SCHEMAS } from '../../infra/constructs/test-events';
import { synthesize } from './synth';

const configOf = (context: Record<string, unknown>) => readStackConfig(new App({ context }).node);

describe('stack configuration from context', () => {
  it('defaults to Asia/Shanghai at 00:30, the built-in policy, no alarm e-mail, no bound region, test events, 16 shards at once', () => {
    expect(configOf({})).toEqual({
      businessTimeZone: 'Asia/Shanghai',
      scheduleTime: { hour: 0, minute: 30 },
      testEvents: true,
      sweepMaxConcurrency: 16,
    });
  });

  it('takes the workflow’s maximum concurrency from sweepMaxConcurrency (cdk.json or -c), 1–16', () => {
    expect(configOf({ sweepMaxConcurrency: 4 }).sweepMaxConcurrency).toBe(4);
    expect(configOf({ sweepMaxConcurrency: '8' }).sweepMaxConcurrency).toBe(8);
    for (const bad of [0, 17, '2.5', 'many']) {
      expect(() => configOf({ sweepMaxConcurrency: bad })).toThrow(/sweepMaxConcurrency: /);
    }
  });

  it.each(REGIONS_WITHOUT_EVENTBRIDGE_SCHEMAS)(
    'leaves the test events out in %s, where EventBridge Schemas does not exist',
    (region) => {
      expect(configOf({ region })).toMatchObject({ region, testEvents: false });
      // Also when the region is the one the CDK CLI deploys to (no region in the context).
      const fromCli = readStackConfig(new App().node, { cliRegion: region });
      expect(fromCli.testEvents).toBe(false);
      expect(fromCli.region).toBeUndefined();
    },
  );

  it('keeps them in every other region, and testEvents overrides the region either way', () => {
    for (const region of ['us-east-1', 'eu-west-1', 'ap-southeast-1', 'cn-north-1']) {
      expect(configOf({ region }).testEvents, region).toBe(true);
    }
    expect(configOf({ region: 'il-central-1', testEvents: 'true' }).testEvents).toBe(true);
    expect(configOf({ region: 'eu-west-1', testEvents: 'false' }).testEvents).toBe(false);
    expect(configOf({ testEvents: false }).testEvents).toBe(false);
    // The context's region wins over the CLI's.
    const both = readStackConfig(new App({ context: { region: 'eu-west-1' } }).node, {
      cliRegion: 'il-central-1',
    });
    expect(both.testEvents).toBe(true);
  });

  it('warns at synth about the retired createTestEventRegistry key, saying why it no longer matters', () => {
    const { stack } = synthesize({ createTestEventRegistry: 'false' });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue());
    expect(warnings.map((w) => String(w.entry.data))).toEqual([
      expect.stringMatching(
        /^createTestEventRegistry: no longer read: the stack creates lambda-testevent-schemas only where it is missing and never deletes it/,
      ),
    ]);
    // What it asked for happens anyway: the registry is ensured, never owned.
    expect(stack.sweepTestEvents?.registry).toBeDefined();
    expect(Annotations.fromStack(synthesize().stack).findWarning('*', Match.anyValue())).toEqual(
      [],
    );
  });

  it('accepts a fee policy as a JSON string or an object and passes it on as compact JSON', () => {
    const policy = { default: { lateFee: 500 }, products: { MICRO: { graceDays: 1 } } };
    expect(configOf({ feePolicy: JSON.stringify(policy, null, 2) }).feePolicy).toBe(
      JSON.stringify(policy),
    );
    expect(configOf({ feePolicy: policy }).feePolicy).toBe(JSON.stringify(policy));
  });

  it('checks the contact policy as the reminder does at cold start, and passes it on as compact JSON', () => {
    const policy = { windowStart: '08:30', windowEnd: '22:00', maxContactDaysPer7: 2 };
    expect(configOf({ contactPolicy: JSON.stringify(policy, null, 2) }).contactPolicy).toBe(
      JSON.stringify(policy),
    );
    expect(configOf({ contactPolicy: policy }).contactPolicy).toBe(JSON.stringify(policy));
    const bad = () => configOf({ contactPolicy: { windowEnd: '23:00', maxContactDaysPer7: 8 } });
    expect(bad).toThrow(/contactPolicy: CONTACT_POLICY\.windowEnd: 23:00 is outside 08:00–22:00/);
    expect(bad).toThrow(/contactPolicy: CONTACT_POLICY\.maxContactDaysPer7: 8/);
  });

  it('rejects every bad value at synth, naming each key', () => {
    const bad = () =>
      configOf({
        businessTimeZone: 'Mars/Olympus',
        scheduleTime: '24:00',
        feePolicy: '{"default":{"graceDays":-1}}',
        alarmEmail: 'not-an-address',
        testEvents: 'no',
        region: 'Frankfurt',
      });
    expect(bad).toThrow(/businessTimeZone: "Mars\/Olympus"/);
    expect(bad).toThrow(/scheduleTime: "24:00"/);
    expect(bad).toThrow(/feePolicy: .*FEE_POLICY\.default\.graceDays/);
    expect(bad).toThrow(/alarmEmail: "not-an-address"/);
    expect(bad).toThrow(/testEvents: "no" is not true or false/);
    expect(bad).toThrow(/region: "Frankfurt" is not an AWS region code/);
  });

  it('parses only 24-hour HH:MM times', () => {
    expect(parseTimeOfDay('00:30')).toEqual({ hour: 0, minute: 30 });
    expect(parseTimeOfDay('23:59')).toEqual({ hour: 23, minute: 59 });
    for (const bad of ['0:30', '24:00', '12:60', '12:3', 'noon', '']) {
      expect(parseTimeOfDay(bad), bad).toBeUndefined();
    }
  });
});

describe('a configured stack', () => {
  const policy = { default: { lateFee: 500 } };
  const { template } = synthesize({
    businessTimeZone: 'Europe/London',
    scheduleTime: '01:05',
    feePolicy: policy,
    alarmEmail: 'ops@example.com',
    contactPolicy: { windowStart: '08:30' },
  });
  const functions = Object.values(template.findResources('AWS::Lambda::Function')).map(
    // The registry's custom resource function has no environment.
    (f) => (f.Properties.Environment?.Variables ?? {}) as Record<string, unknown>,
  );

  it('schedules at the configured time in the configured zone', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(5 1 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/London',
    });
  });

  it('gives the fee policy to the sweep, reminder and publisher functions, the zone to the first two only', () => {
    // The publisher reads the policy's arrears tolerance: it says which instalments are unpaid.
    const withPolicy = functions.filter((env) => env.FEE_POLICY !== undefined);
    expect(withPolicy.map((env) => env.POWERTOOLS_SERVICE_NAME).sort()).toEqual([
      'publisher',
      'reminder',
      'sweep',
    ]);
    for (const env of withPolicy) expect(env.FEE_POLICY).toBe(JSON.stringify(policy));
    const withZone = functions.filter((env) => env.BUSINESS_TIMEZONE !== undefined);
    expect(withZone.map((env) => env.POWERTOOLS_SERVICE_NAME).sort()).toEqual([
      'reminder',
      'sweep',
    ]);
    for (const env of withZone) expect(env.BUSINESS_TIMEZONE).toBe('Europe/London');
  });

  it('gives the contact policy to the reminder function only', () => {
    const withPolicy = functions.filter((env) => env.CONTACT_POLICY !== undefined);
    expect(withPolicy.map((env) => env.POWERTOOLS_SERVICE_NAME)).toEqual(['reminder']);
    expect(withPolicy[0]?.CONTACT_POLICY).toBe('{"windowStart":"08:30"}');
  });

  it('subscribes the alarm e-mail to the alarm topic', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });
});

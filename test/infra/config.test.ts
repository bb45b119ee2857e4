import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { parseTimeOfDay, readStackConfig } from '../../infra/config';
import { synthesize } from './synth';

const configOf = (context: Record<string, unknown>) => readStackConfig(new App({ context }).node);

describe('stack configuration from context', () => {
  it('defaults to Asia/Shanghai at 00:30, the built-in policy, no alarm e-mail, a new test-event registry, 16 shards at once', () => {
    expect(configOf({})).toEqual({
      businessTimeZone: 'Asia/Shanghai',
      scheduleTime: { hour: 0, minute: 30 },
      createTestEventRegistry: true,
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

  it('reuses an existing test-event registry with createTestEventRegistry=false (cdk.json or -c)', () => {
    expect(configOf({ createTestEventRegistry: 'false' }).createTestEventRegistry).toBe(false);
    expect(configOf({ createTestEventRegistry: false }).createTestEventRegistry).toBe(false);
    expect(configOf({ createTestEventRegistry: 'true' }).createTestEventRegistry).toBe(true);
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
        createTestEventRegistry: 'no',
      });
    expect(bad).toThrow(/businessTimeZone: "Mars\/Olympus"/);
    expect(bad).toThrow(/scheduleTime: "24:00"/);
    expect(bad).toThrow(/feePolicy: .*FEE_POLICY\.default\.graceDays/);
    expect(bad).toThrow(/alarmEmail: "not-an-address"/);
    expect(bad).toThrow(/createTestEventRegistry: "no" is not true or false/);
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
    (f) => f.Properties.Environment.Variables as Record<string, unknown>,
  );

  it('schedules at the configured time in the configured zone', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(5 1 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/London',
    });
  });

  it('gives the fee policy and the zone to the sweep and reminder functions only', () => {
    const withPolicy = functions.filter((env) => env.FEE_POLICY !== undefined);
    expect(withPolicy.map((env) => env.POWERTOOLS_SERVICE_NAME).sort()).toEqual([
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

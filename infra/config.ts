/**
 * The stack's deploy-time configuration, read from CDK context (`cdk deploy -c key=value` or
 * cdk.json) and validated at synth so a bad value fails before anything is deployed.
 */
import type { Environment } from 'aws-cdk-lib';
import type { Node } from 'constructs';
import {
  contactPolicyProblems,
  DEFAULT_BUSINESS_TIMEZONE,
  feePolicyProblems,
  timeZoneProblem,
} from '../functions/contract/configuration';
import { SWEEP_SHARDS } from '../functions/contract/tables';
import { DEFAULT_MAX_CONCURRENCY } from '../functions/contract/workflow';
import { REGIONS_WITHOUT_EVENTBRIDGE_SCHEMAS } from './constructs/test-events';

/** CDK context keys the stack reads. */
export const CONTEXT_KEYS = {
  businessTimeZone: 'businessTimeZone',
  scheduleTime: 'scheduleTime',
  feePolicy: 'feePolicy',
  alarmEmail: 'alarmEmail',
  region: 'region',
  testEvents: 'testEvents',
  sweepMaxConcurrency: 'sweepMaxConcurrency',
  contactPolicy: 'contactPolicy',
} as const;

/**
 * Context keys earlier versions read, and why they no longer matter: set, they are reported as a
 * synth warning (what they asked for now happens anyway, so a deploy need not stop for them).
 */
const RETIRED_CONTEXT_KEYS: Readonly<Record<string, string>> = {
  createTestEventRegistry:
    'no longer read: the stack creates lambda-testevent-schemas only where it is missing and ' +
    'never deletes it; remove the key (testEvents=false leaves the test events out)',
};

/** A warning for each retired context key that is set. */
export function retiredContextWarnings(node: Node): string[] {
  return Object.entries(RETIRED_CONTEXT_KEYS)
    .filter(([key]) => node.tryGetContext(key) !== undefined)
    .map(([key, why]) => `${key}: ${why}`);
}

/** Daily run time in the business time zone when `scheduleTime` is not set (docs/contract.md, Business dates). */
export const DEFAULT_SCHEDULE_TIME = '00:30';

/** A wall-clock time of day. */
export interface TimeOfDay {
  /** 0–23 */
  readonly hour: number;
  /** 0–59 */
  readonly minute: number;
}

/** Validated configuration of one deployment. */
export interface StackConfig {
  /** IANA zone of business dates and of the schedule, e.g. `Asia/Shanghai`. */
  readonly businessTimeZone: string;
  /** When the daily sweep fires, in the business time zone. */
  readonly scheduleTime: TimeOfDay;
  /** `FEE_POLICY` JSON for the sweep and reminder functions; undefined = built-in policy. */
  readonly feePolicy?: string;
  /** Address subscribed to the alarm topic; undefined = no e-mail subscription. */
  readonly alarmEmail?: string;
  /**
   * The region the stack is bound to (`-c region=…`); undefined = environment-agnostic, deployed
   * wherever the CDK CLI's credentials point.
   */
  readonly region?: string;
  /**
   * Deploy the sweep's shareable console test events (EventBridge Schemas): by default everywhere
   * except the regions without that service.
   */
  readonly testEvents: boolean;
  /** Shards the sweep-run workflow's map sweeps at once, 1–16. */
  readonly sweepMaxConcurrency: number;
  /** `CONTACT_POLICY` JSON for the reminder function; undefined = 09:00–21:00, 3 dates in 7. */
  readonly contactPolicy?: string;
}

/** Context cannot be used; the message names each bad key. */
export class StackConfigError extends Error {
  constructor(problems: readonly string[]) {
    super(`invalid CDK context: ${problems.join('; ')}`);
    this.name = 'StackConfigError';
  }
}

/** Parses `HH:MM` (24 h) into a time of day, or undefined when malformed. */
export function parseTimeOfDay(value: string): TimeOfDay | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (!match) return undefined;
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

function optionalString(node: Node, key: string, problems: string[]): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    problems.push(`${key}: must be a string`);
    return undefined;
  }
  return value.trim();
}

/** A boolean from cdk.json (true/false) or the command line (`-c key=true|false`). */
function optionalBoolean(node: Node, key: string, fallback: boolean, problems: string[]): boolean {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  problems.push(`${key}: ${JSON.stringify(value)} is not true or false`);
  return fallback;
}

function readFeePolicy(node: Node, problems: string[]): string | undefined {
  const value: unknown = node.tryGetContext(CONTEXT_KEYS.feePolicy);
  if (value === undefined || value === null || value === '') return undefined;
  // `-c feePolicy='{...}'` arrives as a string; cdk.json may hold the object itself.
  const json = typeof value === 'string' ? value : JSON.stringify(value);
  const policyProblems = feePolicyProblems(json);
  if (policyProblems.length > 0) {
    problems.push(...policyProblems.map((problem) => `${CONTEXT_KEYS.feePolicy}: ${problem}`));
    return undefined;
  }
  // Normalised so the function environment carries compact, valid JSON.
  return JSON.stringify(JSON.parse(json));
}

/** `contactPolicy`: the reminder's `CONTACT_POLICY`, checked as the function checks it. */
function readContactPolicy(node: Node, problems: string[]): string | undefined {
  const value: unknown = node.tryGetContext(CONTEXT_KEYS.contactPolicy);
  if (value === undefined || value === null || value === '') return undefined;
  const json = typeof value === 'string' ? value : JSON.stringify(value);
  const policyProblems = contactPolicyProblems(json);
  if (policyProblems.length > 0) {
    problems.push(...policyProblems.map((problem) => `${CONTEXT_KEYS.contactPolicy}: ${problem}`));
    return undefined;
  }
  return JSON.stringify(JSON.parse(json));
}

/** `sweepMaxConcurrency`: a whole number 1–16 (more would wait for shards that do not exist). */
function readMaxConcurrency(node: Node, problems: string[]): number {
  const value: unknown = node.tryGetContext(CONTEXT_KEYS.sweepMaxConcurrency);
  if (value === undefined || value === null || value === '') return DEFAULT_MAX_CONCURRENCY;
  const number = typeof value === 'string' ? Number(value) : value;
  if (
    typeof number !== 'number' ||
    !Number.isInteger(number) ||
    number < 1 ||
    number > SWEEP_SHARDS
  ) {
    problems.push(
      `${CONTEXT_KEYS.sweepMaxConcurrency}: ${JSON.stringify(value)} is not a whole number from 1 to ${SWEEP_SHARDS}`,
    );
    return DEFAULT_MAX_CONCURRENCY;
  }
  return number;
}

/** An AWS region code such as `eu-west-1`, `us-gov-west-1` or `ap-southeast-7`. */
const REGION_CODE = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

/** Where the deployment's environment comes from, besides the context. */
export interface ConfigSources {
  /**
   * The region the CDK CLI deploys an environment-agnostic stack to (it sets
   * `CDK_DEFAULT_REGION` from the profile or `AWS_REGION`); decides the test events' default when
   * `region` is not in the context.
   */
  readonly cliRegion?: string;
}

/**
 * Reads and validates the stack's context.
 * @throws StackConfigError naming every bad key.
 */
export function readStackConfig(node: Node, sources: ConfigSources = {}): StackConfig {
  const problems: string[] = [];

  const zone =
    optionalString(node, CONTEXT_KEYS.businessTimeZone, problems) ?? DEFAULT_BUSINESS_TIMEZONE;
  const zoneProblem = timeZoneProblem(zone);
  if (zoneProblem) problems.push(`${CONTEXT_KEYS.businessTimeZone}: ${zoneProblem}`);

  const timeText =
    optionalString(node, CONTEXT_KEYS.scheduleTime, problems) ?? DEFAULT_SCHEDULE_TIME;
  const scheduleTime = parseTimeOfDay(timeText);
  if (!scheduleTime) {
    problems.push(`${CONTEXT_KEYS.scheduleTime}: "${timeText}" is not a 24-hour HH:MM time`);
  }

  const feePolicy = readFeePolicy(node, problems);

  const alarmEmail = optionalString(node, CONTEXT_KEYS.alarmEmail, problems);
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    problems.push(`${CONTEXT_KEYS.alarmEmail}: "${alarmEmail}" is not an e-mail address`);
  }

  const region = optionalString(node, CONTEXT_KEYS.region, problems);
  if (region !== undefined && !REGION_CODE.test(region)) {
    problems.push(`${CONTEXT_KEYS.region}: "${region}" is not an AWS region code like eu-west-1`);
  }
  const targetRegion = region ?? sources.cliRegion;
  const testEvents = optionalBoolean(
    node,
    CONTEXT_KEYS.testEvents,
    targetRegion === undefined || !REGIONS_WITHOUT_EVENTBRIDGE_SCHEMAS.includes(targetRegion),
    problems,
  );

  const sweepMaxConcurrency = readMaxConcurrency(node, problems);
  const contactPolicy = readContactPolicy(node, problems);

  if (problems.length > 0 || !scheduleTime) throw new StackConfigError(problems);
  return {
    businessTimeZone: zone,
    scheduleTime,
    testEvents,
    sweepMaxConcurrency,
    ...(feePolicy !== undefined && { feePolicy }),
    ...(alarmEmail !== undefined && { alarmEmail }),
    ...(region !== undefined && { region }),
    ...(contactPolicy !== undefined && { contactPolicy }),
  };
}

/**
 * The stack's environment: bound to the region given in the context, so `cdk deploy -c region=…`
 * deploys there; otherwise environment-agnostic (the CLI's account and region).
 */
export function stackEnvironment(config: StackConfig): Environment | undefined {
  return config.region === undefined ? undefined : { region: config.region };
}

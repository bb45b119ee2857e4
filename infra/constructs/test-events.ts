/**
 * Shareable test events of a Lambda function, deployed with the stack so the Lambda console's
 * "Test" tab offers them to everyone with access. The console (and `sam remote test-event`) keeps
 * them as the examples of an OpenAPI 3 schema named `_<functionName>-schema` in the EventBridge
 * Schemas registry `lambda-testevent-schemas`.
 *
 * That registry belongs to the account and region, not to this stack: the console creates it the
 * first time anyone saves a shareable event. So the stack never declares it as a resource of its
 * own: a custom resource calls `CreateRegistry` on create, takes "already exists" as success, and
 * does nothing on update or delete.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as eventschemas from 'aws-cdk-lib/aws-eventschemas';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  AwsCustomResource,
  AwsCustomResourcePolicy,
  PhysicalResourceId,
} from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { LOG_RETENTION, PROJECT_ROOT } from './service-function';

/** The registry the Lambda console reads shareable test events from (one per account and region). */
export const TEST_EVENT_REGISTRY_NAME = 'lambda-testevent-schemas';

/**
 * The error name the Schemas API gives `CreateRegistry` for a registry that exists: the one
 * failure the registry's custom resource takes as success (matched as a whole name).
 */
export const REGISTRY_EXISTS_ERROR = 'ConflictException';

/**
 * Regions where EventBridge Schemas does not exist (CloudFormation has no `AWS::EventSchemas::*`
 * types there), so the stack leaves the test events out unless told otherwise (`testEvents`).
 */
export const REGIONS_WITHOUT_EVENTBRIDGE_SCHEMAS: readonly string[] = [
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-west-1',
  'il-central-1',
  'mx-central-1',
];

/** The sweep's console test events, relative to the repository root: the one copy of them. */
export const SWEEP_TEST_EVENTS_DIR = 'functions/sweep/test-events';

/** Console event names: letters, digits, `.`, `-`, `_`, at most 25 characters. */
const EVENT_NAME = /^[A-Za-z0-9._-]{1,25}$/;

/** One named test event: the name the console lists, and the JSON payload it invokes with. */
export interface TestEvent {
  readonly name: string;
  readonly payload: unknown;
}

/**
 * Reads every `*.json` file of `directory` (relative to the repository root) as a test event named
 * after the file, sorted by name.
 * @throws Error naming the file when a name is not a valid console event name or the JSON is bad.
 */
export function readTestEvents(directory: string): TestEvent[] {
  const path = join(PROJECT_ROOT, directory);
  return readdirSync(path)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const name = basename(file, '.json');
      if (!EVENT_NAME.test(name)) {
        throw new Error(
          `${file}: test event names are 1–25 letters, digits, ".", "-" or "_" (the console's rule)`,
        );
      }
      try {
        return { name, payload: JSON.parse(readFileSync(join(path, file), 'utf8')) };
      } catch (error) {
        throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
      }
    });
}

type JsonSchema = Record<string, unknown>;

/** A shallow OpenAPI schema of a JSON value: its type, and for arrays the type of the items. */
function schemaOfValue(value: unknown): JsonSchema {
  if (Array.isArray(value)) {
    return { type: 'array', ...(value.length > 0 ? { items: schemaOfValue(value[0]) } : {}) };
  }
  if (value === null) return {};
  if (typeof value === 'number') return { type: Number.isInteger(value) ? 'integer' : 'number' };
  if (typeof value === 'object') return { type: 'object' };
  return { type: typeof value };
}

/**
 * The schema content the console reads: an OpenAPI 3 document whose `components.examples` hold
 * the events (`{name: {value: payload}}`) and whose `Event` schema lists the top-level fields the
 * examples use (the function's own validator stays the one definition of a valid input).
 */
export function testEventSchemaContent(events: readonly TestEvent[]): string {
  const properties: Record<string, JsonSchema> = {};
  for (const { payload } of events) {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) continue;
    for (const [key, value] of Object.entries(payload)) properties[key] ??= schemaOfValue(value);
  }
  return JSON.stringify({
    openapi: '3.0.0',
    info: { version: '1.0.0', title: 'Event' },
    paths: {},
    components: {
      schemas: { Event: { type: 'object', properties } },
      examples: Object.fromEntries(events.map(({ name, payload }) => [name, { value: payload }])),
    },
  });
}

/**
 * Makes sure the account's `lambda-testevent-schemas` registry exists, whether or not it did
 * before: `CreateRegistry` on create, "already exists" taken as success, nothing on update or
 * delete (the registry holds other functions' test events too, so it outlives this stack, and a
 * failed or deleted stack leaves nothing in the way of the next deploy). One per stack.
 */
export class TestEventRegistry extends Construct {
  /** The custom resource; what depends on the registry depends on it. */
  readonly resource: AwsCustomResource;
  /** Runs the `CreateRegistry` call: may create that one registry and write its own logs. */
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  /** The stack's registry construct, created on first use. */
  static of(scope: Construct): TestEventRegistry {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild('TestEventRegistry');
    return existing instanceof TestEventRegistry
      ? existing
      : new TestEventRegistry(stack, 'TestEventRegistry');
  }

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const registryArn = Stack.of(this).formatArn({
      service: 'schemas',
      resource: 'registry',
      resourceName: TEST_EVENT_REGISTRY_NAME,
    });
    // Kept like the functions' logs: after a failed deploy they say why (the name is generated,
    // so a kept group never stands in the way of the next one).
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Our own role rather than the provider's default (AWSLambdaBasicExecutionRole): it writes
    // to this log group only, and the call's policy below adds the one action it makes.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `overdue-sweep: creates ${TEST_EVENT_REGISTRY_NAME} if it is missing`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.resource = new AwsCustomResource(this, 'Ensure', {
      resourceType: 'Custom::TestEventRegistry',
      onCreate: {
        service: 'Schemas',
        action: 'CreateRegistry',
        parameters: {
          RegistryName: TEST_EVENT_REGISTRY_NAME,
          Description: 'Shareable test events of Lambda functions (Lambda console convention)',
        },
        physicalResourceId: PhysicalResourceId.of(TEST_EVENT_REGISTRY_NAME),
        ignoreErrorCodesMatching: `^${REGISTRY_EXISTS_ERROR}$`,
      },
      // No onUpdate and no onDelete: the registry is never changed or deleted by this stack.
      policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: [registryArn] }),
      role: this.role,
      logGroup: this.logGroup,
      // The Lambda runtime's own SDK has the Schemas client; nothing is downloaded at deploy.
      installLatestAwsSdk: false,
    });
  }
}

export interface ShareableTestEventsProps {
  /** The function whose console "Test" tab lists the events. */
  readonly target: lambda.IFunction;
  readonly events: readonly TestEvent[];
  readonly description: string;
}

/** The schema holding a function's shareable test events, in the registry made sure to exist. */
export class ShareableTestEvents extends Construct {
  readonly schema: eventschemas.CfnSchema;
  readonly registry: TestEventRegistry;

  constructor(scope: Construct, id: string, props: ShareableTestEventsProps) {
    super(scope, id);
    if (props.events.length === 0) throw new Error(`${this.node.path}: no test events`);

    this.registry = TestEventRegistry.of(this);
    this.schema = new eventschemas.CfnSchema(this, 'Schema', {
      registryName: TEST_EVENT_REGISTRY_NAME,
      schemaName: `_${props.target.functionName}-schema`,
      type: 'OpenApi3',
      description: props.description,
      content: testEventSchemaContent(props.events),
    });
    this.schema.node.addDependency(this.registry.resource);
  }
}

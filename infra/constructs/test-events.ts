/**
 * Shareable test events of a Lambda function, deployed with the stack so the Lambda console's
 * "Test" tab offers them to everyone with access. The console (and `sam remote test-event`) keeps
 * them as the examples of an OpenAPI 3 schema named `_<functionName>-schema` in the EventBridge
 * Schemas registry `lambda-testevent-schemas`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as eventschemas from 'aws-cdk-lib/aws-eventschemas';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from './service-function';

/** The registry the Lambda console reads shareable test events from (one per account and region). */
export const TEST_EVENT_REGISTRY_NAME = 'lambda-testevent-schemas';

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

export interface ShareableTestEventsProps {
  /** The function whose console "Test" tab lists the events. */
  readonly target: lambda.IFunction;
  readonly events: readonly TestEvent[];
  /**
   * Create the `lambda-testevent-schemas` registry (false: it already exists in the account and
   * region, e.g. because someone saved a shareable test event in the console).
   */
  readonly createRegistry: boolean;
  readonly description: string;
}

/** The schema holding a function's shareable test events, and the registry when asked to. */
export class ShareableTestEvents extends Construct {
  readonly schema: eventschemas.CfnSchema;
  readonly registry?: eventschemas.CfnRegistry;

  constructor(scope: Construct, id: string, props: ShareableTestEventsProps) {
    super(scope, id);
    if (props.events.length === 0) throw new Error(`${this.node.path}: no test events`);

    if (props.createRegistry) {
      this.registry = new eventschemas.CfnRegistry(this, 'Registry', {
        registryName: TEST_EVENT_REGISTRY_NAME,
        description: 'Shareable test events of Lambda functions (Lambda console convention)',
      });
      // The registry is shared by every function in the account and region: deleting it with this
      // stack would delete the test events others saved for their functions.
      this.registry.applyRemovalPolicy(RemovalPolicy.RETAIN);
    }

    this.schema = new eventschemas.CfnSchema(this, 'Schema', {
      registryName: TEST_EVENT_REGISTRY_NAME,
      schemaName: `_${props.target.functionName}-schema`,
      type: 'OpenApi3',
      description: props.description,
      content: testEventSchemaContent(props.events),
    });
    if (this.registry) this.schema.node.addDependency(this.registry);
  }
}

/**
 * The sweep's console test events ship with the stack as shareable test events: the sweep's schema,
 * in the registry the Lambda console reads, holding every file of functions/sweep/test-events as an
 * example the sweep's own validator accepts — left out where EventBridge Schemas does not exist.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SWEEP_SHARDS } from '../../functions/contract/tables';
import { runIdOf } from '../../functions/sweep/job';
import { parseSweepRequest, ValidationError } from '../../functions/sweep/request';
import {
  readTestEvents,
  SWEEP_TEST_EVENTS_DIR,
  TEST_EVENT_REGISTRY_NAME,
} from '../../infra/constructs/test-events';
import { logicalId, render, type Synthesized, synthesize } from './synth';

/** A fixed clock: 2026-11-28 20:00 in Shanghai, after every dated example. */
const CONTEXT = {
  now: new Date('2026-11-28T12:00:00Z'),
  timeZone: 'Asia/Shanghai',
  shardCount: SWEEP_SHARDS,
};

const eventsDir = new URL(`../../${SWEEP_TEST_EVENTS_DIR}/`, import.meta.url);
/** The files as they are on disk: name → parsed JSON. */
const files = new Map(
  readdirSync(eventsDir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => [
      file.replace(/\.json$/, ''),
      JSON.parse(readFileSync(new URL(file, eventsDir), 'utf8')) as unknown,
    ]),
);

type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
  DeletionPolicy?: string;
};

function resourcesOfType(synth: Synthesized, type: string): [string, Resource][] {
  const resources = synth.template.toJSON().Resources as Record<string, Resource>;
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

interface SchemaContent {
  openapi: string;
  components: {
    schemas: Record<string, unknown>;
    examples: Record<string, { value: unknown }>;
  };
}

describe('shareable test events of the sweep', () => {
  let synth: Synthesized;
  let schema: Resource;
  let content: SchemaContent;

  beforeAll(() => {
    synth = synthesize();
    const schemas = resourcesOfType(synth, 'AWS::EventSchemas::Schema');
    expect(schemas).toHaveLength(1);
    schema = (schemas[0] as [string, Resource])[1];
    content = JSON.parse(String(schema.Properties.Content)) as SchemaContent;
  });

  it('the four events are on disk: dry run today, named loans, a backfill date, the schedule', () => {
    expect([...files.keys()].sort()).toEqual([
      'backfill-date',
      'dry-run-today',
      'scheduled',
      'two-loans',
    ]);
  });

  it('puts the schema in lambda-testevent-schemas, after the custom resource that makes sure it exists', () => {
    const registries = resourcesOfType(synth, 'Custom::TestEventRegistry');
    expect(registries).toHaveLength(1);
    const [registryId] = registries[0] as [string, Resource];
    expect(schema.DependsOn).toContain(registryId);
    // Never a registry of the stack's own: it would fail where the account has one already.
    expect(resourcesOfType(synth, 'AWS::EventSchemas::Registry')).toEqual([]);
  });

  it('names the schema _<sweep function name>-schema, OpenApi3, in that registry', () => {
    const sweepId = logicalId(synth.stack, synth.stack.sweep.function);
    expect(schema.Properties.RegistryName).toBe(TEST_EVENT_REGISTRY_NAME);
    expect(render(schema.Properties.SchemaName)).toBe(`_<${sweepId}>-schema`);
    expect(schema.Properties.Type).toBe('OpenApi3');
    expect(content.openapi).toBe('3.0.0');
    expect(content.components.schemas.Event).toMatchObject({ type: 'object' });
  });

  it('holds every file as an example, exactly as written', () => {
    const examples = Object.fromEntries(
      Object.entries(content.components.examples).map(([name, { value }]) => [name, value]),
    );
    expect(examples).toEqual(Object.fromEntries(files));
  });

  it.each([...files.keys()])('the %s example is a valid sweep input', (name) => {
    const example = content.components.examples[name]?.value;
    const job = parseSweepRequest(example, CONTEXT);
    expect(job.asOf <= '2026-11-28').toBe(true);
    expect(job.runId).toBe(
      runIdOf(job.asOf, job.dryRun, job.scope.kind === 'loan-ids' ? job.scope.loanIds : undefined),
    );
  });

  it('the validator would reject an example that drifted from the contract', () => {
    for (const value of Object.values(content.components.examples).map((e) => e.value)) {
      const drifted = { ...(value as object), unexpected: true };
      expect(() => parseSweepRequest(drifted, CONTEXT)).toThrow(ValidationError);
    }
  });

  it('the scheduled example is a full run for the business date of its time', () => {
    const job = parseSweepRequest(content.components.examples.scheduled?.value, CONTEXT);
    expect(job.trigger).toBe('schedule');
    expect(job.dryRun).toBe(false);
    expect(job.scope.kind).toBe('due-index');
  });

  it.each([
    ['-c region=il-central-1 (no EventBridge Schemas there)', { region: 'il-central-1' }, {}],
    ['the CLI deploying to ap-southeast-4', {}, { cliRegion: 'ap-southeast-4' }],
    ['-c testEvents=false', { testEvents: 'false' }, {}],
  ])(
    'with %s the stack has no test events, no registry and no function for it',
    (_, context, sources) => {
      const without = synthesize(context, sources);
      const types = Object.values(
        without.template.toJSON().Resources as Record<string, Resource>,
      ).map((resource) => resource.Type);
      expect(types.filter((type) => type.startsWith('AWS::EventSchemas::'))).toEqual([]);
      expect(types).not.toContain('Custom::TestEventRegistry');
      // The four product functions only: no custom resource provider left behind.
      expect(types.filter((type) => type === 'AWS::Lambda::Function')).toHaveLength(4);
      expect(without.stack.sweepTestEvents).toBeUndefined();
    },
  );

  it('-c region=… binds the stack to that region, where CDK checks every resource type exists', () => {
    expect(synthesize({ region: 'eu-west-1' }).stack.region).toBe('eu-west-1');
    // So -c testEvents=true cannot put them where the service is missing: synth says why.
    expect(() => synthesize({ region: 'il-central-1', testEvents: 'true' })).toThrow(
      /'AWS::EventSchemas::Schema' does not exist in 'il-central-1'/,
    );
  });
});

describe('reading test events', () => {
  it('reads each file once, named after it', () => {
    const events = readTestEvents(SWEEP_TEST_EVENTS_DIR);
    expect(events.map((e) => e.name)).toEqual([...files.keys()].sort());
    expect(events.map((e) => e.payload)).toEqual(events.map((e) => files.get(e.name)));
  });
});

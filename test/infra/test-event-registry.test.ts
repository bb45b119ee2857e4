/**
 * The account's `lambda-testevent-schemas` registry is made sure to exist by a custom resource,
 * never owned by the stack: the engine's own handler (aws-cdk-lib's AwsCustomResource) runs here
 * on the synthesized call, against a stand-in of the Schemas API on loopback, as CloudFormation
 * would invoke it — for an account without the registry, one that has it (saved from the
 * console, or left by an earlier, failed deploy), one that may not create it, and an update and
 * a delete of the stack.
 */
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  REGISTRY_EXISTS_ERROR,
  TEST_EVENT_REGISTRY_NAME,
} from '../../infra/constructs/test-events';
import { grantsOf, logicalId, render, type Synthesized, synthesize } from './synth';

type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
  DeletionPolicy?: string;
};

/** What the stand-in Schemas API answers CreateRegistry. */
type Account = 'without registry' | 'with registry' | 'forbidden';

interface SchemasCall {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

const require = createRequire(import.meta.url);
const https = require('node:https') as typeof import('node:https');
/** aws-cdk-lib's handler of `Custom::AWS`-style resources, exactly as it is deployed. */
const AWS_CUSTOM_RESOURCE_HANDLER = join(
  dirname(require.resolve('aws-cdk-lib/package.json')),
  'custom-resource-handlers/dist/custom-resources/aws-custom-resource-handler/index.js',
);

let synth: Synthesized;
let resources: Record<string, Resource>;
let registryId: string;
let registry: Resource;
let server: Server;
let account: Account = 'without registry';
const calls: SchemasCall[] = [];

beforeAll(async () => {
  synth = synthesize();
  resources = synth.template.toJSON().Resources as Record<string, Resource>;
  const registries = Object.entries(resources).filter(
    ([, resource]) => resource.Type === 'Custom::TestEventRegistry',
  );
  expect(registries).toHaveLength(1);
  [registryId, registry] = registries[0] as [string, Resource];

  // The Schemas REST API's CreateRegistry: POST /v1/registries/name/{name}.
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    request.on('end', () => {
      calls.push({
        method: request.method ?? '',
        path: request.url ?? '',
        body: text ? JSON.parse(text) : undefined,
      });
      const json = (status: number, body: unknown, errorType?: string) => {
        response.writeHead(status, {
          'content-type': 'application/json',
          ...(errorType && { 'x-amzn-errortype': errorType }),
        });
        response.end(JSON.stringify(body));
      };
      if (account === 'forbidden') {
        json(403, { Code: 'ForbiddenException', Message: 'not authorized' }, 'ForbiddenException');
      } else if (account === 'with registry') {
        json(
          409,
          {
            Code: REGISTRY_EXISTS_ERROR,
            Message: `Registry with name ${TEST_EVENT_REGISTRY_NAME} already exists.`,
          },
          REGISTRY_EXISTS_ERROR,
        );
      } else {
        json(201, {
          RegistryArn: `arn:aws:schemas:us-east-1:123456789012:registry/${TEST_EVENT_REGISTRY_NAME}`,
          RegistryName: TEST_EVENT_REGISTRY_NAME,
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  vi.stubEnv('AWS_ENDPOINT_URL_SCHEMAS', `http://127.0.0.1:${port}`);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
});

afterEach(() => {
  calls.length = 0;
  vi.restoreAllMocks();
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

interface CloudFormationResponse {
  Status: 'SUCCESS' | 'FAILED';
  Reason: string;
  PhysicalResourceId: string;
}

/**
 * Invokes the deployed handler with a CloudFormation request for the registry resource, as
 * synthesized, and returns the response it sends to CloudFormation's pre-signed URL.
 */
async function invoke(
  requestType: 'Create' | 'Update' | 'Delete',
): Promise<CloudFormationResponse> {
  let sent = '';
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(https, 'request').mockImplementation(((_options: unknown, done: () => void) => ({
    on: () => undefined,
    write: (body: string) => {
      sent += body;
    },
    end: () => done(),
  })) as unknown as typeof https.request);
  const { handler } = require(AWS_CUSTOM_RESOURCE_HANDLER) as {
    handler: (event: unknown, context: unknown) => Promise<void>;
  };
  // CloudFormation hands every property over as a string.
  const properties = Object.fromEntries(
    Object.entries(registry.Properties).map(([key, value]) => [
      key,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );
  await handler(
    {
      RequestType: requestType,
      ResponseURL: 'https://cloudformation-custom-resource-response.invalid/response',
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/OverdueSweep/1',
      RequestId: `request-${requestType}`,
      ResourceType: registry.Type,
      LogicalResourceId: registryId,
      ...(requestType !== 'Create' && { PhysicalResourceId: TEST_EVENT_REGISTRY_NAME }),
      ResourceProperties: properties,
      ...(requestType === 'Update' && { OldResourceProperties: properties }),
    },
    { logStreamName: 'test-stream' },
  );
  expect(sent, 'the handler answered CloudFormation').not.toBe('');
  return JSON.parse(sent) as CloudFormationResponse;
}

describe('the lambda-testevent-schemas registry', () => {
  it('is not a resource of the stack: no AWS::EventSchemas::Registry, a custom resource instead', () => {
    const types = Object.values(resources).map((resource) => resource.Type);
    expect(types).not.toContain('AWS::EventSchemas::Registry');
    expect(registry.Properties.InstallLatestAwsSdk).toBe(false);
    const create = JSON.parse(String(registry.Properties.Create)) as Record<string, unknown>;
    expect(create).toMatchObject({
      service: 'Schemas',
      action: 'CreateRegistry',
      parameters: { RegistryName: TEST_EVENT_REGISTRY_NAME },
      physicalResourceId: { id: TEST_EVENT_REGISTRY_NAME },
    });
    expect(registry.Properties.Update).toBeUndefined();
    expect(registry.Properties.Delete).toBeUndefined();
  });

  it('in an account without it: creates it, and the deploy goes on', async () => {
    account = 'without registry';
    const response = await invoke('Create');
    expect(response).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: TEST_EVENT_REGISTRY_NAME,
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      method: 'POST',
      path: `/v1/registries/name/${TEST_EVENT_REGISTRY_NAME}`,
      body: { Description: expect.stringContaining('Shareable test events') },
    });
  });

  it('in an account that has it (the console made it, or a failed deploy left it): succeeds without changing it', async () => {
    account = 'with registry';
    const response = await invoke('Create');
    expect(response).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: TEST_EVENT_REGISTRY_NAME,
    });
    expect(calls.map((call) => call.method)).toEqual(['POST']);
  });

  it('any other error still fails the deploy, with the service’s reason', async () => {
    account = 'forbidden';
    const response = await invoke('Create');
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('not authorized');
  });

  it('an update or a delete of the stack leaves the registry alone: no call at all', async () => {
    account = 'without registry';
    for (const requestType of ['Update', 'Delete'] as const) {
      const response = await invoke(requestType);
      expect(response, requestType).toMatchObject({
        Status: 'SUCCESS',
        PhysicalResourceId: TEST_EVENT_REGISTRY_NAME,
      });
    }
    expect(calls).toEqual([]);
  });

  it('the sweep’s schema waits for it', () => {
    const schemas = Object.entries(resources).filter(
      ([, resource]) => resource.Type === 'AWS::EventSchemas::Schema',
    );
    expect(schemas).toHaveLength(1);
    const [, schema] = schemas[0] as [string, Resource];
    expect(schema.DependsOn).toContain(registryId);
  });

  it('its function may create that one registry and write its own logs, nothing else', () => {
    const providerId = render(registry.Properties.ServiceToken).replace(/^<(.+)\.Arn>$/, '$1');
    const provider = resources[providerId];
    expect(provider?.Type).toBe('AWS::Lambda::Function');
    const registryConstruct = synth.stack.sweepTestEvents?.registry;
    if (!registryConstruct) throw new Error('no test event registry');
    const roleId = logicalId(synth.stack, registryConstruct.role);
    expect(render(provider?.Properties.Role)).toBe(`<${roleId}.Arn>`);
    // No managed policy (AWSLambdaBasicExecutionRole would allow every log group).
    expect(resources[roleId]?.Properties.ManagedPolicyArns).toBeUndefined();
    const logGroupId = logicalId(synth.stack, registryConstruct.logGroup);
    expect(
      render(
        provider?.Properties.LoggingConfig &&
          (provider.Properties.LoggingConfig as { LogGroup: unknown }).LogGroup,
      ),
    ).toBe(`<${logGroupId}>`);
    const grants = grantsOf(synth.template, roleId);
    const registryArn = `arn:<AWS::Partition>:schemas:<AWS::Region>:<AWS::AccountId>:registry/${TEST_EVENT_REGISTRY_NAME}`;
    expect(
      Object.fromEntries([...grants].map(([resource, actions]) => [resource, [...actions].sort()])),
    ).toEqual({
      [registryArn]: ['schemas:CreateRegistry'],
      [`<${logGroupId}.Arn>`]: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    });
  });
});

/**
 * One of the product's Lambda functions: its own role (log permissions written out, no managed
 * policy), its own log group with a retention, and the project's esbuild bundling settings.
 */
import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../functions/contract/observability';

/** Repository root: entries, lock file and esbuild all resolve from here. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** How long function logs are kept. */
export const LOG_RETENTION = logs.RetentionDays.THREE_MONTHS;

// ESM bundles have no `require`; a bundled CommonJS dependency that calls it for a Node
// built-in needs one, so every bundle gets a real one from `createRequire`.
const REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

export interface ServiceFunctionProps {
  /** Handler file relative to the repository root, e.g. `functions/sweep/handler.ts`. */
  readonly entry: string;
  readonly description: string;
  /** Powertools service name; also the `service` metric dimension. */
  readonly serviceName: string;
  readonly timeout: Duration;
  /** MB */
  readonly memorySize: number;
  /** Exactly the variables this function reads (docs/contract.md, Infrastructure), besides the Powertools ones. */
  readonly environment: Record<string, string>;
}

/** A bundled Node.js 22 arm64 function with an explicit role and log group. */
export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // An explicit role instead of AWSLambdaBasicExecutionRole: it may write to its own log
    // group only, and every other permission is granted by the stack, statement by statement.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new NodejsFunction(this, 'Function', {
      entry: `${PROJECT_ROOT}${props.entry}`,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      recursiveLoop: lambda.RecursiveLoop.TERMINATE,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        // Stack traces in the logs point at the TypeScript sources through the bundled maps.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: REQUIRE_BANNER,
        // Bundle the AWS SDK too: the exact versions we test with, not the runtime's copy.
        externalModules: [],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
      },
    });
  }
}

/**
 * A Lambda function with the project's defaults: Node.js 24 on ARM64, one minified ESM file bundled locally
 * by esbuild (AWS SDK included, unused credential providers left out), its own log group with retention, its
 * own role (no managed policy: only the log group it writes to, plus what the stack grants), X-Ray tracing.
 */
import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export const NODEJS_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * The default credential chain of the AWS SDK loads these lazily (dynamic `import()`), after the
 * environment provider. Lambda always sets AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, so
 * the chain stops at `fromEnv` and they are never reached: left external, they stay out of the bundle
 * (together with the STS/SSO clients only they use). test/infra/bundles.test.ts checks a bundle built this
 * way still signs requests with the environment's credentials.
 */
export const UNUSED_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
] as const;

/** Some CommonJS dependencies call `require` for Node built-ins: ESM has none, this gives them one. */
export const CREATE_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * esbuild options of every function. Measured on the refunds bundle (SDK and undici included):
 * - leaving UNUSED_CREDENTIAL_PROVIDERS out takes it from 954 KB to 823 KB;
 * - no source maps: a linked map is 3.4 MB (4x the code) and, with `--enable-source-maps`, Node parses it at
 *   load: importing the bundle went from 100 ms to 120 ms (median of 30, Node 24). Error logs carry a code and
 *   a message, which is what is read; mapped stacks are not worth 20 ms of every cold start.
 * - `keepNames` would cost 38 KB for readable function names in stacks: not taken either.
 * NODE_OPTIONS is therefore not set: `--enable-source-maps` would be the only candidate (together with
 * `sourceMap: true` here); ESM comes from the `.mjs` output, and the SDK v3 keeps connections alive itself.
 */
export const BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node24',
  minify: true,
  sourceMap: false,
  mainFields: ['module', 'main'],
  banner: CREATE_REQUIRE_BANNER,
  externalModules: [...UNUSED_CREDENTIAL_PROVIDERS],
  logLevel: LogLevel.WARNING,
  // Never Docker: this machine and CI bundle with the esbuild of node_modules.
  forceDockerBundling: false,
};

export interface ProjectFunctionProps {
  /** Absolute path of the handler's entry file (exporting `handler`). */
  entry: string;
  /** Repository root: the esbuild working directory and where package-lock.json lives. */
  projectRoot: string;
  description: string;
  /** POWERTOOLS_SERVICE_NAME: the `service` dimension of the function's metrics and logs. */
  serviceName: string;
  timeout: Duration;
  /** @default 512 */
  memorySize?: number;
  environment: Record<string, string>;
  logRetention: logs.RetentionDays;
}

export class ProjectFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    super(scope, id);

    // Retained like the table: these logs are the audit trail of money movements.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.serviceName}: writes its own logs plus the grants of infra/access.ts`,
    });
    this.logGroup.grantWrite(this.role);

    const environment: Record<string, string> = {
      ...props.environment,
      POWERTOOLS_SERVICE_NAME: props.serviceName,
    };

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: `${props.projectRoot}/package-lock.json`,
      description: props.description,
      runtime: NODEJS_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      role: this.role,
      environment,
      bundling: BUNDLING,
      // SDK v3 reuses connections by default: no AWS_NODEJS_CONNECTION_REUSE_ENABLED variable needed.
      awsSdkConnectionReuse: false,
    });

    // Active tracing adds xray:PutTraceSegments/PutTelemetryRecords, which have no resource-level permissions;
    // so has dynamodb:ListStreams, which a table stream event source (event-publisher) adds.
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) and DynamoDB ListStreams (stream event source) support no resource-level permissions.',
    });
  }

  /** Adds one statement to the function's own role. */
  allow(actions: readonly string[], resources: readonly string[]): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...actions], resources: [...resources] }),
    );
  }
}

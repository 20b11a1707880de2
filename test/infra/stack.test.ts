import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS_NAMESPACE } from '../../functions/observability/metrics.ts';
import { FUNCTION_ENTRIES, ROUTES, routeKey } from '../../functions/routes.ts';
import type { FunctionId } from '../../infra/access.ts';
import { runbookOf } from '../../infra/constructs/monitoring.ts';
import { createApp } from '../../infra/create-app.ts';
import { unreadVariables } from './config-loaders.ts';
import { type CfnResource, resourcesOf, type Synthesized, synthesize } from './synth.ts';

const FUNCTION_IDS = Object.keys(FUNCTION_ENTRIES) as FunctionId[];

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize();
});
afterAll(() => synth?.cleanup());

const functionOf = (functionId: FunctionId): CfnResource =>
  resourcesOf(synth.template, 'AWS::Lambda::Function')[synth.functionLogicalId(functionId)]!;

const environmentOf = (functionId: FunctionId): Record<string, unknown> =>
  (functionOf(functionId).Properties.Environment as { Variables: Record<string, unknown> }).Variables;

describe('functions', () => {
  it.each(FUNCTION_IDS)(
    '%s runs Node.js 24 on ARM64, traced, 512 MB, ESM handler, own log group',
    (functionId) => {
      const props = functionOf(functionId).Properties;
      expect(props.Runtime).toBe('nodejs24.x');
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.TracingConfig).toEqual({ Mode: 'Active' });
      expect(props.MemorySize).toBe(512);
      expect(props.Handler).toBe('index.handler');
      expect(props.ReservedConcurrentExecutions).toBeUndefined();
      const logGroupId = (props.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      const logGroup = resourcesOf(synth.template, 'AWS::Logs::LogGroup')[logGroupId]!;
      expect(logGroup.Properties.RetentionInDays).toBe(90);
      expect(logGroup.DeletionPolicy).toBe('Retain');
    },
  );

  it('bounds every timeout: API functions under the HTTP API 30 s, the webhook under Mercado Pago 22 s', () => {
    const timeouts = Object.fromEntries(FUNCTION_IDS.map((id) => [id, functionOf(id).Properties.Timeout]));
    expect(timeouts).toEqual({
      refunds: 25,
      cancellation: 25,
      orders: 25,
      'qr-orders': 25,
      webhook: 20,
      ops: 25,
      'notification-processor': 60,
      reconcile: 300,
      reports: 25,
      'reports-job': 900,
      'not-found': 5,
      'event-publisher': 30,
    });
  });

  it('gives each function its service name and only the variables it needs', () => {
    const keys = Object.fromEntries(FUNCTION_IDS.map((id) => [id, Object.keys(environmentOf(id)).sort()]));
    const common = ['LOG_LEVEL', 'POWERTOOLS_SERVICE_NAME', 'TABLE_NAME'];
    const token = 'MP_ACCESS_TOKEN_SECRET_ARN';
    expect(keys).toEqual({
      // Every writer leaves its events to the table's stream (each write's outbox): only the publisher has the bus.
      refunds: [...common, token].sort(),
      cancellation: [...common, token].sort(),
      // The currency of an order that names none: its site's.
      orders: [...common, token, 'MP_SITE_ID'].sort(),
      'qr-orders': [...common, token, 'MP_SITE_ID', 'PUBLIC_WEBHOOK_URL'].sort(),
      // Enqueues only: no token. A report-ready notice wakes the reports job through its queue.
      webhook: [
        ...common,
        'MP_WEBHOOK_SECRET_ARN',
        'NOTIFICATION_QUEUE_URL',
        'REPORTS_WAKE_QUEUE_URL',
      ].sort(),
      // Counts the dead letters for a person: the queue's URL, and (test/infra) its depth only.
      ops: [...common, token, 'MP_SITE_ID', 'NOTIFICATION_DLQ_URL'].sort(),
      'notification-processor': [...common, token, 'MP_SITE_ID'].sort(),
      reconcile: [...common, token, 'MP_SITE_ID'].sort(),
      // Reads the table only: no token.
      reports: common,
      'reports-job': [...common, token, 'REPORTS_BUCKET'].sort(),
      // Touches no resource: no table name, no secret ARN.
      'not-found': ['LOG_LEVEL', 'POWERTOOLS_SERVICE_NAME'],
      'event-publisher': ['EVENT_BUS_NAME', 'LOG_LEVEL', 'POWERTOOLS_SERVICE_NAME'],
    });
    for (const id of FUNCTION_IDS) expect(environmentOf(id).POWERTOOLS_SERVICE_NAME).toBe(`${id}-dev`);
    expect(environmentOf('qr-orders').MP_SITE_ID).toBe('MLB');
  });

  it.each(FUNCTION_IDS)(
    "%s: its configuration loader accepts the stack's environment and reads every variable of it",
    (functionId) => {
      expect(unreadVariables(functionId, environmentOf(functionId))).toEqual([]);
    },
  );

  it('passes secrets as ARNs only: no value, no dynamic reference, secret ids only in *_SECRET_ARN', () => {
    const secretIds = Object.keys(resourcesOf(synth.template, 'AWS::SecretsManager::Secret'));
    expect(secretIds).toHaveLength(2);
    for (const id of FUNCTION_IDS) {
      const environment = environmentOf(id);
      expect(environment).not.toHaveProperty('MP_ACCESS_TOKEN');
      expect(environment).not.toHaveProperty('MP_WEBHOOK_SECRET');
      for (const [name, value] of Object.entries(environment)) {
        const text = JSON.stringify(value);
        expect(text).not.toContain('resolve:secretsmanager');
        expect(text).not.toContain('SecretString');
        if (secretIds.some((secretId) => text.includes(secretId))) {
          expect(name).toMatch(/_SECRET_ARN$/);
          expect(value).toEqual({ Ref: expect.any(String) });
        }
      }
    }
    expect(environmentOf('webhook').MP_WEBHOOK_SECRET_ARN).not.toEqual(
      environmentOf('webhook').MP_ACCESS_TOKEN_SECRET_ARN,
    );
  });

  it('sends QR orders the webhook route of the API as notification URL', () => {
    expect(environmentOf('qr-orders').PUBLIC_WEBHOOK_URL).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: synth.logicalIdOf(synth.stack.httpApi.api) },
          '.execute-api.',
          { Ref: 'AWS::Region' },
          '.',
          { Ref: 'AWS::URLSuffix' },
          '/webhooks/mercadopago',
        ],
      ],
    });
  });
});

describe('least privilege', () => {
  /** action -> symbolic resource, from the role's policies. */
  const grantsOf = (functionId: FunctionId): Record<string, string[]> => {
    const ids = {
      table: synth.logicalIdOf(synth.stack.table.table),
      accessToken: synth.logicalIdOf(synth.stack.secrets.accessToken),
      webhookSecrets: synth.logicalIdOf(synth.stack.secrets.webhookSecrets),
      bus: synth.logicalIdOf(synth.stack.eventBus),
      queue: synth.logicalIdOf(synth.stack.notifications.queue),
      deadLetters: synth.logicalIdOf(synth.stack.notifications.deadLetterQueue),
      reportsWake: synth.logicalIdOf(synth.stack.reportsWake.queue),
      eventFailures: synth.logicalIdOf(synth.stack.eventStream.failureQueue),
      logs: synth.logicalIdOf(synth.stack.functions.byId[functionId].logGroup),
      reportsBucket: synth.logicalIdOf(synth.stack.reportsBucket.bucket),
    };
    const symbol = (resource: unknown): string => {
      const json = JSON.stringify(resource);
      if (resource === '*') return '*';
      if (json === JSON.stringify({ 'Fn::GetAtt': [ids.table, 'Arn'] })) return 'table';
      if (
        json === JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.table, 'Arn'] }, '/index/gsi1']] })
      ) {
        return 'index:gsi1';
      }
      if (json === JSON.stringify({ Ref: ids.accessToken })) return 'accessToken';
      if (json === JSON.stringify({ Ref: ids.webhookSecrets })) return 'webhookSecrets';
      if (json === JSON.stringify({ 'Fn::GetAtt': [ids.bus, 'Arn'] })) return 'bus';
      if (json === JSON.stringify({ 'Fn::GetAtt': [ids.queue, 'Arn'] })) return 'queue';
      if (json === JSON.stringify({ 'Fn::GetAtt': [ids.deadLetters, 'Arn'] })) return 'deadLetterQueue';
      if (json === JSON.stringify({ 'Fn::GetAtt': [ids.reportsWake, 'Arn'] })) return 'reportsWakeQueue';
      if (json === JSON.stringify({ 'Fn::GetAtt': [ids.table, 'StreamArn'] })) return 'tableStream';
      if (json === JSON.stringify({ 'Fn::GetAtt': [ids.eventFailures, 'Arn'] })) return 'eventFailureQueue';
      if (json === JSON.stringify({ 'Fn::GetAtt': [ids.logs, 'Arn'] })) return 'ownLogGroup';
      if (json === JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.reportsBucket, 'Arn'] }, '/*']] }))
        return 'reportsBucketObjects';
      return `unexpected ${json}`;
    };
    const roleId = synth.logicalIdOf(synth.stack.functions.byId[functionId].role);
    const role = resourcesOf(synth.template, 'AWS::IAM::Role')[roleId]!;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    const policies = Object.values(resourcesOf(synth.template, 'AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`),
    );
    const grants: Record<string, string[]> = {};
    for (const policy of policies) {
      const document = policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] };
      for (const statement of document.Statement) {
        expect(statement.Effect).toBe('Allow');
        expect(statement.Condition).toBeUndefined();
        const actions = [statement.Action].flat() as string[];
        const resources = [statement.Resource].flat();
        for (const resource of resources) {
          grants[symbol(resource)] = [...(grants[symbol(resource)] ?? []), ...actions].sort();
        }
      }
    }
    return grants;
  };

  const base = {
    ownLogGroup: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    '*': ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
  };
  const readWrite = [
    'dynamodb:BatchGetItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
  ];
  const readToken = ['secretsmanager:GetSecretValue'];

  const expectedGrants = [
    // Their events go through the table's stream (event-publisher): no PutEvents of their own.
    ['refunds', { ...base, table: readWrite, accessToken: readToken }],
    ['cancellation', { ...base, table: readWrite, accessToken: readToken }],
    ['orders', { ...base, table: readWrite, accessToken: readToken }],
    [
      'qr-orders',
      {
        ...base,
        table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        accessToken: readToken,
      },
    ],
    [
      'webhook',
      {
        ...base,
        table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        webhookSecrets: readToken,
        queue: ['sqs:SendMessage'],
        // wakes the reports job on a report-ready notice: sending only
        reportsWakeQueue: ['sqs:SendMessage'],
      },
    ],
    [
      'notification-processor',
      {
        ...base,
        table: readWrite,
        accessToken: readToken,
        // granted by the SQS event source mapping
        queue: [
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
        ],
      },
    ],
    [
      'reconcile',
      {
        ...base,
        table: readWrite,
        'index:gsi1': ['dynamodb:Query'],
        accessToken: readToken,
      },
    ],
    [
      'ops',
      {
        ...base,
        table: readWrite,
        'index:gsi1': ['dynamodb:Query'],
        accessToken: readToken,
        deadLetterQueue: ['sqs:GetQueueAttributes'],
      },
    ],
    ['not-found', base],
    ['reports', { ...base, table: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'] }],
    [
      'reports-job',
      {
        ...base,
        table: readWrite,
        accessToken: readToken,
        reportsBucketObjects: ['s3:GetObject', 's3:PutObject'],
        // granted by the wake queue's event source mapping
        reportsWakeQueue: [
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
        ],
      },
    ],
    [
      'event-publisher',
      {
        ...base,
        // ListStreams has no resource-level permission (granted with the stream read, like X-Ray's)
        '*': ['dynamodb:ListStreams', ...base['*']],
        bus: ['events:PutEvents'],
        // granted by the stream event source mapping: reading the stream, no table action
        tableStream: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        eventFailureQueue: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
      },
    ],
  ] as [FunctionId, Record<string, string[]>][];

  it('lists every function', () => {
    expect(expectedGrants.map(([id]) => id).sort()).toEqual([...FUNCTION_IDS].sort());
  });

  it.each(expectedGrants)('%s gets exactly its grants', (functionId, expected) => {
    expect(grantsOf(functionId)).toEqual(expected);
  });
});

describe('HTTP API', () => {
  const routes = () => Object.values(resourcesOf(synth.template, 'AWS::ApiGatewayV2::Route'));
  const functionBehind = (route: CfnResource): string => {
    const target = JSON.stringify(route.Properties.Target);
    const [integrationId] = Object.entries(
      resourcesOf(synth.template, 'AWS::ApiGatewayV2::Integration'),
    ).find(([id]) => target.includes(`"${id}"`))!;
    const integration = resourcesOf(synth.template, 'AWS::ApiGatewayV2::Integration')[integrationId]!;
    const uri = JSON.stringify(integration.Properties.IntegrationUri);
    return FUNCTION_IDS.find((id) => uri.includes(`"${synth.functionLogicalId(id)}"`))!;
  };

  it('has exactly the routes of ROUTES, each to its function, plus $default to not-found', () => {
    const actual = routes()
      .map((route) => `${route.Properties.RouteKey} -> ${functionBehind(route)}`)
      .sort();
    const expected = [
      ...ROUTES.map((route) => `${routeKey(route)} -> ${route.function}`),
      '$default -> not-found',
    ].sort();
    expect(actual).toEqual(expected);
    synth.template.resourceCountIs('AWS::ApiGatewayV2::Route', ROUTES.length + 1);
  });

  it('leaves the webhook public and puts every merchant route and $default behind IAM', () => {
    const authorization = Object.fromEntries(
      routes().map((route) => [route.Properties.RouteKey, route.Properties.AuthorizationType]),
    );
    expect(authorization['POST /webhooks/mercadopago']).toBe('NONE');
    for (const route of ROUTES.filter((r) => r.auth === 'merchant')) {
      expect(authorization[routeKey(route)]).toBe('AWS_IAM');
    }
    // An unauthenticated caller gets API Gateway's 403 for an unknown route, never a function's answer.
    expect(authorization.$default).toBe('AWS_IAM');
    synth.template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
  });

  it('puts operator routes behind IAM too: their permission is the operator policy, not the merchant one', () => {
    const authorization = Object.fromEntries(
      routes().map((route) => [route.Properties.RouteKey, route.Properties]),
    );
    for (const route of ROUTES.filter((r) => r.auth === 'operator')) {
      expect(authorization[routeKey(route)]).toMatchObject({ AuthorizationType: 'AWS_IAM' });
      expect(authorization[routeKey(route)]?.AuthorizationScopes).toBeUndefined();
    }
  });

  it('makes the merchant and operator policies from ROUTES: neither reaches the other’s routes', () => {
    const api = synth.logicalIdOf(synth.stack.httpApi.api);
    const policies = resourcesOf(synth.template, 'AWS::IAM::ManagedPolicy');
    const statementsOf = (name: 'MerchantPolicy' | 'OperatorPolicy') => {
      const [, policy] = Object.entries(policies).find(([id]) => id.includes(name))!;
      return (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    };
    /** `METHOD /path` of each execute-api resource (`arn:...:<api>/$default/METHOD/path`). */
    const invoked = (name: 'MerchantPolicy' | 'OperatorPolicy') =>
      statementsOf(name)
        .filter((statement) => statement.Action === 'execute-api:Invoke')
        .flatMap((statement) => [statement.Resource].flat())
        .map((resource) => {
          const parts = (resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
          expect(parts).toContainEqual({ Ref: api });
          const tail = String(parts.at(-1));
          const [, method, path] = /^\/\$default\/([A-Z]+)(\/.*)$/.exec(tail) ?? [];
          return `${method} ${path}`;
        })
        .sort();
    const expected = (auth: string) =>
      ROUTES.filter((route) => route.auth === auth)
        .map((route) => `${route.method} ${route.path.replace(/\{\w+\}/g, '*')}`)
        .sort();
    expect(invoked('MerchantPolicy')).toEqual(expected('merchant'));
    expect(invoked('OperatorPolicy')).toEqual(expected('operator'));
    // No merchant pattern covers an operator path (IAM's * spans slashes: no `payments/*` alone).
    const covers = (pattern: string, key: string) =>
      new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`).test(key);
    for (const pattern of invoked('MerchantPolicy'))
      for (const route of ROUTES.filter((r) => r.auth === 'operator'))
        expect(covers(pattern, `${route.method} ${route.path}`), `${pattern} / ${routeKey(route)}`).toBe(
          false,
        );
    // The operator's redrive: the dead-letter queue's move task, and sending back to the queue.
    const dlq = synth.logicalIdOf(synth.stack.notifications.deadLetterQueue);
    const queue = synth.logicalIdOf(synth.stack.notifications.queue);
    expect(statementsOf('OperatorPolicy').filter((s) => s.Action !== 'execute-api:Invoke')).toEqual([
      expect.objectContaining({
        Action: expect.arrayContaining([
          'sqs:StartMessageMoveTask',
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
        ]),
        Resource: { 'Fn::GetAtt': [dlq, 'Arn'] },
      }),
      expect.objectContaining({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queue, 'Arn'] } }),
    ]);
    expect(Object.keys(policies)).toHaveLength(2);
  });

  it('lets API Gateway invoke not-found, and only it, through $default', () => {
    const permissions = Object.values(resourcesOf(synth.template, 'AWS::Lambda::Permission')).filter(
      (permission) =>
        JSON.stringify(permission.Properties.FunctionName).includes(
          `"${synth.functionLogicalId('not-found')}"`,
        ),
    );
    expect(permissions).toHaveLength(1);
    expect(permissions[0]!.Properties.Principal).toBe('apigateway.amazonaws.com');
    expect(JSON.stringify(permissions[0]!.Properties.SourceArn)).toContain(
      synth.logicalIdOf(synth.stack.httpApi.api),
    );
  });

  it('integrates with payload 2.0 under the 30 s limit', () => {
    synth.template.allResourcesProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      TimeoutInMillis: 29_000,
    });
  });

  it('has one auto-deployed $default stage, throttled, logging JSON to its own log group', () => {
    synth.template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    const [stage] = Object.values(resourcesOf(synth.template, 'AWS::ApiGatewayV2::Stage'));
    const props = stage!.Properties as {
      StageName: string;
      AutoDeploy: boolean;
      DefaultRouteSettings: Record<string, number>;
      AccessLogSettings: { DestinationArn: unknown; Format: string };
    };
    expect(props.StageName).toBe('$default');
    expect(props.AutoDeploy).toBe(true);
    expect(props.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    const format = JSON.parse(props.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
      iamCaller: '$context.identity.userArn',
    });
    expect(JSON.stringify(props.AccessLogSettings.DestinationArn)).toContain(
      synth.logicalIdOf(synth.stack.httpApi.accessLogs),
    );
  });
});

describe('table', () => {
  it('is pay-per-request, recoverable, protected, retained, with ttl and the pending index', () => {
    const tables = resourcesOf(synth.template, 'AWS::DynamoDB::Table');
    expect(Object.keys(tables)).toHaveLength(1);
    const [table] = Object.values(tables);
    expect(table!.DeletionPolicy).toBe('Retain');
    expect(table!.UpdateReplacePolicy).toBe('Retain');
    expect(table!.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      SSESpecification: { SSEEnabled: true },
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          // Reconciliation reads the keys (gsi1sk: the next check time and the id) and pendingSince: an
          // index write copies no document, ~150 bytes, one write unit.
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['pendingSince'] },
        },
      ],
    });
    expect(table!.Properties.AttributeDefinitions).toEqual(
      expect.arrayContaining(
        ['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      ),
    );
    // AWS-managed key: no customer key, no KMS key resource.
    expect((table!.Properties.SSESpecification as Record<string, unknown>).KMSMasterKeyId).toBeUndefined();
    synth.template.resourceCountIs('AWS::KMS::Key', 0);
  });
});

describe('secrets', () => {
  it('creates both with generated placeholders, webhook one as {"current"} JSON, retained', () => {
    const accessToken = resourcesOf(synth.template, 'AWS::SecretsManager::Secret')[
      synth.logicalIdOf(synth.stack.secrets.accessToken)
    ]!;
    const webhook = resourcesOf(synth.template, 'AWS::SecretsManager::Secret')[
      synth.logicalIdOf(synth.stack.secrets.webhookSecrets)
    ]!;
    expect(accessToken.Properties.SecretString).toBeUndefined();
    expect(accessToken.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 48 });
    expect(webhook.Properties.GenerateSecretString).toMatchObject({
      SecretStringTemplate: '{}',
      GenerateStringKey: 'current',
    });
    expect(accessToken.DeletionPolicy).toBe('Retain');
    expect(webhook.DeletionPolicy).toBe('Retain');
  });
});

describe('notifications', () => {
  it('queues with SSE, TLS only, a 6x visibility timeout and a 5-receive DLQ kept 14 days', () => {
    const queues = resourcesOf(synth.template, 'AWS::SQS::Queue');
    const queueId = synth.logicalIdOf(synth.stack.notifications.queue);
    const dlqId = synth.logicalIdOf(synth.stack.notifications.deadLetterQueue);
    expect(queues[queueId]!.Properties).toMatchObject({
      VisibilityTimeout: 360,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
    });
    expect(queues[queueId]!.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(
      6 * (functionOf('notification-processor').Properties.Timeout as number),
    );
    expect(queues[dlqId]!.Properties).toMatchObject({
      MessageRetentionPeriod: 1_209_600,
      SqsManagedSseEnabled: true,
    });
    for (const queue of [queueId, dlqId]) {
      synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queue }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('feeds the processor in batches of 10 with partial batch failures', () => {
    synth.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 3);
    synth.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: synth.functionLogicalId('notification-processor') },
      EventSourceArn: { 'Fn::GetAtt': [synth.logicalIdOf(synth.stack.notifications.queue), 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('runs reconcile every 5 minutes, without asynchronous retries', () => {
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [synth.functionLogicalId('reconcile'), 'Arn'] } })],
    });
    synth.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: synth.functionLogicalId('reconcile') },
      MaximumRetryAttempts: 0,
    });
  });

  it('runs reports-job every hour, without asynchronous retries', () => {
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [synth.functionLogicalId('reports-job'), 'Arn'] } })],
    });
    synth.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: synth.functionLogicalId('reports-job') },
      MaximumRetryAttempts: 0,
    });
  });

  it('wakes reports-job through an encrypted, TLS-only queue with a DLQ, one message per run, 2 runs at most', () => {
    const queues = resourcesOf(synth.template, 'AWS::SQS::Queue');
    const queueId = synth.logicalIdOf(synth.stack.reportsWake.queue);
    const dlqId = synth.logicalIdOf(synth.stack.reportsWake.deadLetterQueue);
    expect(queues[queueId]!.Properties).toMatchObject({
      VisibilityTimeout: 6 * 900,
      MessageRetentionPeriod: 86_400,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 2 },
    });
    expect(queues[queueId]!.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(
      6 * (functionOf('reports-job').Properties.Timeout as number),
    );
    expect(queues[dlqId]!.Properties).toMatchObject({
      MessageRetentionPeriod: 1_209_600,
      SqsManagedSseEnabled: true,
    });
    for (const queue of [queueId, dlqId]) {
      synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queue }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
    synth.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: synth.functionLogicalId('reports-job') },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    // The webhook is given the queue's URL and may send to it (its exact grants: "least privilege").
    expect(environmentOf('webhook').REPORTS_WAKE_QUEUE_URL).toEqual({ Ref: queueId });
    const sendsToWake = Object.values(resourcesOf(synth.template, 'AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes(
        JSON.stringify({
          Action: 'sqs:SendMessage',
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
        }),
      ),
    );
    expect(sendsToWake.map((policy) => policy.Properties.Roles)).toEqual([
      [{ Ref: synth.logicalIdOf(synth.stack.functions.byId.webhook.role) }],
    ]);
  });

  it('keeps report files in an encrypted, private, TLS-only, versioned, logged, retained bucket with a lifecycle', () => {
    const id = synth.logicalIdOf(synth.stack.reportsBucket.bucket);
    const bucket = resourcesOf(synth.template, 'AWS::S3::Bucket')[id]!;
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: {
        DestinationBucketName: { Ref: synth.logicalIdOf(synth.stack.reportsBucket.accessLogs) },
      },
    });
    const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules[0]).toMatchObject({
      Status: 'Enabled',
      Transitions: [
        { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
        { StorageClass: 'GLACIER', TransitionInDays: 365 },
      ],
    });
    const policy = Object.values(resourcesOf(synth.template, 'AWS::S3::BucketPolicy')).find(
      (p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: id }),
    )!;
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    expect(environmentOf('reports-job').REPORTS_BUCKET).toEqual({ Ref: id });
  });

  it('has an event bus for events out', () => {
    synth.template.resourceCountIs('AWS::Events::EventBus', 1);
  });
});

describe('events out through the table stream', () => {
  const failureQueueId = () => synth.logicalIdOf(synth.stack.eventStream.failureQueue);

  it('feeds event-publisher only the writes that stored an outbox, 25 a batch, partial failures, bisected, 10 retries, then the failure queue', () => {
    synth.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: synth.functionLogicalId('event-publisher') },
      EventSourceArn: { 'Fn::GetAtt': [synth.logicalIdOf(synth.stack.table.table), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 25,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failureQueueId(), 'Arn'] } } },
      FilterCriteria: {
        Filters: [
          { Pattern: JSON.stringify({ dynamodb: { NewImage: { outbox: { N: [{ exists: true }] } } } }) },
          { Pattern: JSON.stringify({ dynamodb: { NewImage: { outbox: { S: [{ exists: true }] } } } }) },
        ],
      },
    });
  });

  it('keeps failed batches 14 days in an encrypted, TLS-only queue', () => {
    expect(resourcesOf(synth.template, 'AWS::SQS::Queue')[failureQueueId()]!.Properties).toMatchObject({
      MessageRetentionPeriod: 1_209_600,
      SqsManagedSseEnabled: true,
    });
    synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: failureQueueId() }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('monitoring', () => {
  const alarms = () => Object.values(resourcesOf(synth.template, 'AWS::CloudWatch::Alarm'));
  const topicRef = () => ({ Ref: synth.logicalIdOf(synth.stack.monitoring.topic) });
  const alarmNamed = (suffix: string) =>
    alarms().find((alarm) => alarm.Properties.AlarmName === `mercadopago-refunds-dev-${suffix}`)!;

  it('has a runbook in infra/README.md for every alarm, named in its description', () => {
    const readme = readFileSync(new URL('../../infra/README.md', import.meta.url), 'utf8');
    const runbooks = new Set([...readme.matchAll(/^#### Runbook: `([^`]+)`$/gm)].map((match) => match[1]));
    const named = new Set<string>();
    for (const alarm of alarms()) {
      const name = String(alarm.Properties.AlarmName).replace('mercadopago-refunds-dev-', '');
      const runbook = runbookOf(name);
      named.add(runbook);
      expect(runbooks.has(runbook), name).toBe(true);
      expect(alarm.Properties.AlarmDescription).toContain(`Runbook: infra/README.md, "${runbook}"`);
    }
    // No runbook for an alarm that does not exist.
    expect([...runbooks].sort()).toEqual([...named].sort());
  });

  it('sends every alarm (and its recovery) to the SNS topic', () => {
    expect(alarms().length).toBeGreaterThan(0);
    for (const alarm of alarms()) {
      expect(alarm.Properties.AlarmActions).toEqual([topicRef()]);
      expect(alarm.Properties.OKActions).toEqual([topicRef()]);
    }
    synth.template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it.each(FUNCTION_IDS)('alarms on errors and throttles of %s', (functionId) => {
    for (const [suffix, metric] of [
      ['errors', 'Errors'],
      ['throttles', 'Throttles'],
    ]) {
      const alarm = alarmNamed(`${functionId}-${suffix}`);
      expect(alarm.Properties).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: synth.functionLogicalId(functionId) } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('alarms on API 5xx and p99 latency', () => {
    const apiDimension = [{ Name: 'ApiId', Value: { Ref: synth.logicalIdOf(synth.stack.httpApi.api) } }];
    expect(alarmNamed('api-5xx').Properties).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: apiDimension,
    });
    expect(alarmNamed('api-p99-latency').Properties).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
      Dimensions: apiDimension,
    });
  });

  it('alarms as soon as a notification reaches the DLQ', () => {
    expect(alarmNamed('notification-dlq-not-empty').Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: {
            'Fn::GetAtt': [synth.logicalIdOf(synth.stack.notifications.deadLetterQueue), 'QueueName'],
          },
        },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('alarms when event-publisher gives up on stream records, or they wait more than 5 minutes', () => {
    expect(alarmNamed('event-publisher-dlq-not-empty').Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [synth.logicalIdOf(synth.stack.eventStream.failureQueue), 'QueueName'] },
        },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarmNamed('event-publisher-iterator-age').Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Statistic: 'Maximum',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: synth.functionLogicalId('event-publisher') } }],
      Threshold: 300_000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  /** The metrics of a math-expression alarm: namespace, name, service dimension, stat. */
  const metricsOf = (alarm: CfnResource) =>
    (alarm.Properties.Metrics as { Expression?: string; MetricStat?: Record<string, unknown> }[]).flatMap(
      (query) => (query.MetricStat ? [query.MetricStat] : []),
    );

  it.each([
    ['oldest-pending-refund', 'OldestPendingRefundAgeSeconds', 'Maximum', 900, 'MAX'],
    ['refund-unsettled-too-long', 'RefundUnsettledTooLong', 'Sum', 0, 'SUM'],
    ['attention-raised', 'AttentionRaised', 'Sum', 0, 'SUM'],
  ] as const)(
    'alarm %s reads %s of every service of the stage',
    (suffix, metricName, stat, threshold, combine) => {
      const alarm = alarmNamed(suffix);
      expect(alarm.Properties).toMatchObject({
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      const expression = (alarm.Properties.Metrics as { Expression?: string; ReturnData?: boolean }[]).find(
        (query) => query.Expression,
      )!;
      expect(expression.Expression).toMatch(new RegExp(`^${combine}\\(\\[`));
      const services = metricsOf(alarm).map((metricStat) => {
        expect(metricStat).toMatchObject({
          Metric: { Namespace: METRICS_NAMESPACE, MetricName: metricName },
          Stat: stat,
        });
        return (metricStat.Metric as { Dimensions: { Name: string; Value: string }[] }).Dimensions;
      });
      // Every function but the two that emit no business metric (an alarm's expression takes at most 10).
      expect(services.sort()).toEqual(
        FUNCTION_IDS.filter((id) => id !== 'not-found' && id !== 'event-publisher')
          .map((id) => [{ Name: 'service', Value: `${id}-dev` }])
          .sort(),
      );
    },
  );

  it.each(['reconciliation-discrepancy', 'reconciliation-failed', 'chargeback-deadline'])(
    'alarms on %s as soon as one happens',
    (name) => {
      expect(alarmNamed(name).Properties).toMatchObject({
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
      });
    },
  );

  it('alarms when reports-job stops running', () => {
    expect(alarmNamed('reports-job-not-running').Properties).toMatchObject({
      MetricName: 'Invocations',
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      Period: 10800,
    });
  });

  it('alarms when reconcile stops running', () => {
    expect(alarmNamed('reconcile-not-running').Properties).toMatchObject({
      MetricName: 'Invocations',
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('has a dashboard with the business metrics and the API', () => {
    const [dashboard] = Object.values(resourcesOf(synth.template, 'AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard!.Properties.DashboardBody);
    for (const metric of [
      'RefundSucceeded',
      'RefundFailed',
      'RefundPending',
      'CancellationSucceeded',
      'NotificationReceived',
      'NotificationRejected',
      'NotificationDuplicate',
      '4xx',
      '5xx',
      'Latency',
    ]) {
      expect(body).toContain(metric);
    }
    expect(body).toContain(METRICS_NAMESPACE);
  });
});

describe('stack', () => {
  it('is environment-agnostic and needed no lookup', () => {
    expect(synth.stack.environment).toBe('aws://unknown-account/unknown-region');
    expect(synth.assembly.manifest.missing ?? []).toEqual([]);
  });

  it('warns at synth that qr-orders needs mpUserId when it is not set', () => {
    const warnings = synth.assembly
      .getStackArtifact(synth.stack.artifactId)
      .messages.filter((message) => message.level === 'warning')
      .map((message) => String(message.entry.data));
    expect(warnings.some((warning) => warning.includes('"mpUserId" is not set'))).toBe(true);
  });

  it('outputs the URLs, table, secret ARNs and bus', () => {
    const outputs = Object.keys(synth.template.findOutputs('*'));
    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'WebhookUrl',
        'TableName',
        'AccessTokenSecretArn',
        'WebhookSecretArn',
        'EventBusName',
        'NotificationDeadLetterQueueArn',
        'MerchantPolicyArn',
        'OperatorPolicyArn',
      ]),
    );
  });

  it('passes cdk-nag AwsSolutions: the report lists no violation', () => {
    const report = JSON.parse(readFileSync(`${synth.outdir}/validation-report.json`, 'utf8')) as {
      pluginReports: { pluginName: string; violations: unknown[] }[];
    };
    expect(report.pluginReports.flatMap((pluginReport) => pluginReport.violations)).toEqual([]);
  });

  it('runs cdk-nag on synth: an unacknowledged violation fails it', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'infra-nag-'));
    try {
      const { app, stack } = createApp({
        context: { 'aws:cdk:bundling-stacks': [], stage: 'nagcheck' },
        outdir,
      });
      new sqs.Queue(stack, 'PlainQueue');
      expect(() => app.synth()).toThrow(/AwsSolutions-SQS3|Validation failed/);
      const report = readFileSync(join(outdir, 'validation-report.json'), 'utf8');
      expect(report).toContain('AwsSolutions-SQS3');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

/**
 * The context options: JWT instead of IAM, existing secrets, alarm email, Mercado Pago settings, and the
 * checks that make a bad value fail the synth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_ENTRIES, ROUTES, routeKey } from '../../functions/routes.ts';
import type { FunctionId } from '../../infra/access.ts';
import { readSettings, SettingsError } from '../../infra/settings.ts';
import { unreadVariables } from './config-loaders.ts';
import { type CfnResource, resourcesOf, type Synthesized, synthesize } from './synth.ts';

const ACCESS_TOKEN_ARN = 'arn:aws:secretsmanager:sa-east-1:123456789012:secret:mp/prod/access-token-AbC123';
const WEBHOOK_SECRET_ARN = 'arn:aws:secretsmanager:sa-east-1:123456789012:secret:mp/prod/webhook-XyZ789';

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize({
    stage: 'prod',
    authMode: 'jwt',
    jwtIssuer: 'https://auth.example.com/',
    jwtAudience: 'refunds-api, backoffice',
    alarmEmail: 'oncall@example.com',
    throttlingRateLimit: '20',
    throttlingBurstLimit: 40,
    mpApiBaseUrl: 'https://api.mercadopago.com/',
    mpSiteId: 'MLA',
    mpUserId: '123456789',
    mpExternalStoreId: 'STORE_1',
    refundWindowDays: '120,MLA=360',
    webhookToleranceSeconds: 120,
    reconcilePendingAfterSeconds: '300',
    publicWebhookUrl: 'https://payments.example.com/webhooks/mercadopago',
    qrApi: 'orders',
    logLevel: 'warn',
    logRetentionDays: 365,
    accessTokenSecretArn: ACCESS_TOKEN_ARN,
    webhookSecretArn: WEBHOOK_SECRET_ARN,
  });
});
afterAll(() => synth?.cleanup());

const FUNCTION_IDS = Object.keys(FUNCTION_ENTRIES) as FunctionId[];

const environmentOf = (functionId: Parameters<Synthesized['functionLogicalId']>[0]) =>
  (
    resourcesOf(synth.template, 'AWS::Lambda::Function')[synth.functionLogicalId(functionId)]!.Properties
      .Environment as { Variables: Record<string, unknown> }
  ).Variables;

describe('JWT authorization', () => {
  it('puts merchant routes behind a JWT authorizer with the issuer and audience of context', () => {
    const authorizers = Object.entries(resourcesOf(synth.template, 'AWS::ApiGatewayV2::Authorizer'));
    expect(authorizers).toHaveLength(1);
    const [authorizerId, authorizer] = authorizers[0]!;
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: 'https://auth.example.com/', Audience: ['refunds-api', 'backoffice'] },
    });
    const routes = Object.values(resourcesOf(synth.template, 'AWS::ApiGatewayV2::Route')) as CfnResource[];
    const byKey = new Map(routes.map((route) => [route.Properties.RouteKey, route.Properties]));
    for (const route of ROUTES) {
      const props = byKey.get(routeKey(route))!;
      if (route.auth === 'public') {
        expect(props.AuthorizationType).toBe('NONE');
        expect(props.AuthorizerId).toBeUndefined();
      } else {
        expect(props.AuthorizationType).toBe('JWT');
        expect(props.AuthorizerId).toEqual({ Ref: authorizerId });
        // Operator routes need the operator scope; merchant routes any valid token.
        expect(props.AuthorizationScopes, routeKey(route)).toEqual(
          route.auth === 'operator' ? ['refunds/ops'] : undefined,
        );
      }
    }
    // The token's scope decides: no IAM caller policy is made.
    expect(Object.keys(resourcesOf(synth.template, 'AWS::IAM::ManagedPolicy'))).toEqual([]);
    // The catch-all route (404/405) is behind the merchant authorizer too.
    expect(byKey.get('$default')).toMatchObject({
      AuthorizationType: 'JWT',
      AuthorizerId: { Ref: authorizerId },
    });
  });
});

describe('existing secrets', () => {
  it('creates no secret and grants read on the given ARNs only', () => {
    synth.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(environmentOf('refunds').MP_ACCESS_TOKEN_SECRET_ARN).toBe(ACCESS_TOKEN_ARN);
    expect(environmentOf('webhook').MP_WEBHOOK_SECRET_ARN).toBe(WEBHOOK_SECRET_ARN);
    const policies = JSON.stringify(resourcesOf(synth.template, 'AWS::IAM::Policy'));
    expect(policies).toContain(ACCESS_TOKEN_ARN);
    expect(policies).toContain(WEBHOOK_SECRET_ARN);
    expect(policies).not.toMatch(/secret:[^"]*\*/);
    expect(synth.template.findOutputs('AccessTokenSecretArn').AccessTokenSecretArn!.Value).toBe(
      ACCESS_TOKEN_ARN,
    );
  });
});

describe('QR_API=orders', () => {
  it('grants the till routes what a keyed PUT needs (BatchGetItem, DeleteItem) on the table, no more', () => {
    const roleId = synth.logicalIdOf(synth.stack.functions.byId['qr-orders'].role);
    const tableArn = JSON.stringify({ 'Fn::GetAtt': [synth.logicalIdOf(synth.stack.table.table), 'Arn'] });
    const actions = Object.values(resourcesOf(synth.template, 'AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`))
      .flatMap(
        (policy) => (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
      )
      .filter((statement) => [statement.Resource].flat().some((r) => JSON.stringify(r) === tableArn))
      .flatMap((statement) => [statement.Action].flat());
    expect(actions.sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
  });
});

describe('settings from context', () => {
  it('reach the functions as their environment variables', () => {
    expect(environmentOf('qr-orders')).toMatchObject({
      MP_API_BASE_URL: 'https://api.mercadopago.com',
      MP_SITE_ID: 'MLA',
      MP_USER_ID: '123456789',
      MP_EXTERNAL_STORE_ID: 'STORE_1',
      LOG_LEVEL: 'warn',
      PUBLIC_WEBHOOK_URL: 'https://payments.example.com/webhooks/mercadopago',
      POWERTOOLS_SERVICE_NAME: 'qr-orders-prod',
    });
    expect(environmentOf('qr-orders')).toMatchObject({
      QR_API: 'orders',
      RECONCILE_PENDING_AFTER_SECONDS: '300',
    });
    expect(environmentOf('orders')).toMatchObject({ REFUND_WINDOW_DAYS: '120,MLA=360', MP_SITE_ID: 'MLA' });
    expect(environmentOf('refunds').REFUND_WINDOW_DAYS).toBe('120,MLA=360');
    expect(environmentOf('webhook').WEBHOOK_TOLERANCE_SECONDS).toBe('120');
    expect(environmentOf('reconcile').RECONCILE_PENDING_AFTER_SECONDS).toBe('300');
    expect(synth.template.findOutputs('WebhookUrl').WebhookUrl!.Value).toBe(
      'https://payments.example.com/webhooks/mercadopago',
    );
  });

  it.each(FUNCTION_IDS)('%s: its configuration loader reads every variable the stack gives it', (id) => {
    expect(unreadVariables(id, environmentOf(id) as Record<string, unknown>)).toEqual([]);
  });

  it('set throttling, log retention and the alarm email', () => {
    synth.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
    });
    for (const logGroup of Object.values(resourcesOf(synth.template, 'AWS::Logs::LogGroup'))) {
      expect(logGroup.Properties.RetentionInDays).toBe(365);
    }
    synth.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    expect(synth.stack.stackName).toBe('MercadoPagoRefunds-prod');
    const messages = synth.assembly.getStackArtifact(synth.stack.artifactId).messages;
    expect(messages.map((message) => String(message.entry.data))).not.toContainEqual(
      expect.stringContaining('mpUserId'),
    );
  });
});

describe('readSettings', () => {
  const read = (context: Record<string, unknown>) => readSettings((key) => context[key]);

  it('defaults to stage dev, IAM, 50/100 rps, MLB, 90 days of logs', () => {
    const settings = read({});
    expect(settings).toMatchObject({
      stage: 'dev',
      authMode: 'iam',
      jwt: undefined,
      throttling: { rateLimit: 50, burstLimit: 100 },
      mercadoPago: { siteId: 'MLB', apiBaseUrl: undefined, userId: undefined },
      logLevel: 'info',
      logRetention: 90,
    });
  });

  it.each([
    [{ authMode: 'cognito' }, 'authMode'],
    [{ authMode: 'jwt' }, 'jwtIssuer'],
    [{ authMode: 'jwt', jwtIssuer: 'http://insecure.example.com' }, 'jwtIssuer'],
    [{ authMode: 'jwt', jwtIssuer: 'https://auth.example.com' }, 'jwtAudience'],
    [{ stage: 'Prod_1' }, 'stage'],
    [{ mpSiteId: 'MLX' }, 'mpSiteId'],
    [{ mpUserId: '12a' }, 'mpUserId'],
    [{ mpExternalStoreId: 'store 1' }, 'mpExternalStoreId'],
    [{ refundWindowDays: 'MLZ=30' }, 'refundWindowDays'],
    [{ throttlingRateLimit: '0' }, 'throttlingRateLimit'],
    [{ throttlingBurstLimit: '1.5' }, 'throttlingBurstLimit'],
    [{ logRetentionDays: 45 }, 'logRetentionDays'],
    [{ logLevel: 'trace' }, 'logLevel'],
    [{ alarmEmail: 'not-an-email' }, 'alarmEmail'],
    [
      { accessTokenSecretArn: 'arn:aws:secretsmanager:sa-east-1:123456789012:secret:mp/token' },
      'accessTokenSecretArn',
    ],
    [{ webhookSecretArn: 'arn:aws:ssm:sa-east-1:123456789012:parameter/x-AbC123' }, 'webhookSecretArn'],
    [{ mpApiBaseUrl: 'not a url' }, 'mpApiBaseUrl'],
    [{ qrApi: 'legacy' }, 'qrApi'],
    [{ jwtAudience: { nested: true }, authMode: 'jwt', jwtIssuer: 'https://a.example.com' }, 'jwtAudience'],
  ])('refuses %j naming %s', (context, key) => {
    let error: unknown;
    try {
      read(context);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as SettingsError).key).toBe(key);
  });

  it('accepts -c strings and cdk.json values alike', () => {
    expect(
      read({ throttlingRateLimit: '10', logRetentionDays: '30', jwtAudience: ['a'] }).throttling.rateLimit,
    ).toBe(10);
    expect(read({ logRetentionDays: 30 }).logRetention).toBe(30);
    expect(
      read({ authMode: 'jwt', jwtIssuer: 'https://a.example.com', jwtAudience: ['x', 'y'] }).jwt,
    ).toEqual({
      issuer: 'https://a.example.com',
      audience: ['x', 'y'],
    });
  });
});

/**
 * The HTTP API of ../shared/API.md: every route of ROUTES to its function. Merchant routes need AWS IAM
 * (SigV4) by default, or a JWT from the configured issuer; the webhook route is public (Mercado Pago cannot
 * sign for AWS: the function checks its own signature). A `$default` route, behind the merchant authorizer
 * too, sends every other request to functions/not-found, which answers API.md's problem+json 404/405 (an
 * unauthenticated caller still gets API Gateway's 403/401 first). One `$default` stage, throttled, with
 * JSON access logs.
 */

import { type CfnResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INTEGRATION_TIMEOUT_SECONDS } from '../../functions/config/timing.ts';
import { type FunctionName, OPERATOR_SCOPE, ROUTES, type RouteAuth } from '../../functions/routes.ts';
import { AuthMode, type JwtSettings } from '../settings.ts';

export interface RefundsHttpApiProps {
  stage: string;
  authMode: AuthMode;
  jwt: JwtSettings | undefined;
  throttling: { rateLimit: number; burstLimit: number };
  logRetention: logs.RetentionDays;
}

/** Path of the webhook route, the notification URL to register at Mercado Pago. */
export const WEBHOOK_PATH = ROUTES.find((route) => route.auth === 'public')!.path;

/**
 * One JSON object per request. No query string, headers or body: the webhook's query carries only ids, but
 * nothing here needs it. `$context.identity.userArn` is the IAM caller, `authorizer.claims.sub` the JWT's.
 */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  method: '$context.httpMethod',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
  authorizerError: '$context.authorizer.error',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  iamCaller: '$context.identity.userArn',
  jwtSubject: '$context.authorizer.claims.sub',
} as const;

const lambdaIntegration = (id: string, handler: lambda.IFunction): HttpLambdaIntegration =>
  new HttpLambdaIntegration(id, handler, {
    // Above the functions' own timeout, so a slow call ends in their answer, not a gateway 503.
    timeout: Duration.seconds(INTEGRATION_TIMEOUT_SECONDS),
  });

export class RefundsHttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogs: logs.LogGroup;
  readonly routes: apigw.HttpRoute[] = [];
  /** The `$default` route (404/405), once addCatchAllRoute has run. */
  catchAllRoute: apigw.HttpRoute | undefined;
  private readonly merchantAuthorizer: apigw.IHttpRouteAuthorizer;
  private readonly authMode: AuthMode;

  constructor(scope: Construct, id: string, props: RefundsHttpApiProps) {
    super(scope, id);

    this.api = new apigw.HttpApi(this, 'Api', {
      apiName: `mercadopago-refunds-${props.stage}`,
      description:
        'Refunds, cancellations and QR orders of Mercado Pago payments; Mercado Pago notifications',
      createDefaultStage: false,
    });

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttling,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    this.authMode = props.authMode;
    if (props.authMode === AuthMode.Jwt) {
      if (!props.jwt) throw new Error('authMode "jwt" needs a JWT issuer and audience');
      this.merchantAuthorizer = new HttpJwtAuthorizer('MerchantJwt', props.jwt.issuer, {
        jwtAudience: props.jwt.audience,
      });
    } else {
      this.merchantAuthorizer = new HttpIamAuthorizer();
    }
  }

  /**
   * Adds every route of ROUTES, to the function serving it. Separate from the constructor because the
   * functions need the API's URL first (PUBLIC_WEBHOOK_URL).
   */
  addRoutes(handlers: Record<FunctionName, lambda.IFunction>): void {
    const publicAuthorizer = new apigw.HttpNoneAuthorizer();
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    const integrationOf = (name: FunctionName): HttpLambdaIntegration => {
      let integration = integrations.get(name);
      if (!integration) {
        integration = lambdaIntegration(`${name}-integration`, handlers[name]);
        integrations.set(name, integration);
      }
      return integration;
    };

    for (const route of ROUTES) {
      const [created] = this.api.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration: integrationOf(route.function),
        authorizer: route.auth === 'public' ? publicAuthorizer : this.merchantAuthorizer,
        // With JWT, operator routes need the `refunds/ops` scope; with IAM, the operator policy (addCallerPolicies).
        ...(route.auth === 'operator' && this.authMode === AuthMode.Jwt
          ? { authorizationScopes: [OPERATOR_SCOPE] }
          : {}),
      });
      if (!created) throw new Error(`no route created for ${route.method} ${route.path}`);
      if (route.auth === 'public') {
        Validations.of(created).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'Mercado Pago cannot authenticate to AWS: the webhook function verifies its x-signature HMAC.',
        });
      }
      this.routes.push(created);
    }
  }

  /**
   * The `$default` route: requests matching no route of ROUTES go to `handler` (functions/not-found), so
   * that they get API.md's problem+json 404/405 rather than API Gateway's own 404. Behind the merchant
   * authorizer: callers that cannot call the API get API Gateway's 403 (401 with JWT), never the function.
   */
  addCatchAllRoute(handler: lambda.IFunction): void {
    this.catchAllRoute = new apigw.HttpRoute(this, 'CatchAllRoute', {
      httpApi: this.api,
      routeKey: apigw.HttpRouteKey.DEFAULT,
      integration: lambdaIntegration('not-found-integration', handler),
      authorizer: this.merchantAuthorizer,
    });
  }

  /**
   * IAM mode: the two caller policies, made from ROUTES so they cannot drift from what is served. Merchant:
   * `execute-api:Invoke` on each merchant route's method and path, nothing else (a broader `payments/*`
   * would reach the operator routes under `/payments/{id}/...`). Operator: each operator route, plus what
   * `npm run ops -- redrive` needs on the dead-letter queue. None with JWT (the token's scope decides).
   */
  addCallerPolicies(queues: {
    deadLetterQueue: sqs.IQueue;
    queue: sqs.IQueue;
  }): { merchant: iam.ManagedPolicy; operator: iam.ManagedPolicy } | undefined {
    if (this.authMode !== AuthMode.Iam) return undefined;
    const apiLogicalId = Stack.of(this).resolve((this.api.node.defaultChild as CfnResource).logicalId);
    const routesOf = (auth: RouteAuth) =>
      ROUTES.filter((route) => route.auth === auth).map((route) => ({
        method: route.method,
        path: route.path.replace(/\{\w+\}/g, '*'),
      }));
    const invoke = (auth: RouteAuth) =>
      new iam.PolicyStatement({
        actions: ['execute-api:Invoke'],
        resources: routesOf(auth).map((route) =>
          this.api.arnForExecuteApi(route.method, route.path, '$default'),
        ),
      });
    const merchant = new iam.ManagedPolicy(this, 'MerchantPolicy', {
      description: 'Merchant systems: refunds, cancellations and QR orders (not the operations routes)',
      statements: [invoke('merchant')],
    });
    const operator = new iam.ManagedPolicy(this, 'OperatorPolicy', {
      description: 'Operators: the operations routes, and moving the notification dead letters back',
      statements: [
        invoke('operator'),
        new iam.PolicyStatement({
          actions: [
            'sqs:StartMessageMoveTask',
            'sqs:ListMessageMoveTasks',
            'sqs:CancelMessageMoveTask',
            'sqs:GetQueueAttributes',
            'sqs:ReceiveMessage',
            'sqs:DeleteMessage',
          ],
          resources: [queues.deadLetterQueue.queueArn],
        }),
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queues.queue.queueArn] }),
      ],
    });
    // cdk-nag names each wildcard resource: each * is a path parameter of one route, method and stage fixed.
    const acknowledge = (policy: iam.ManagedPolicy, auth: RouteAuth) =>
      Validations.of(policy).acknowledge(
        ...routesOf(auth)
          .filter((route) => route.path.includes('*'))
          .map((route) => ({
            id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiLogicalId}>/$default/${route.method}${route.path}]`,
            reason: `The * of ${route.method} ${route.path} is the route's path parameter (a payment, order, till or refund id): one route, method and stage.`,
          })),
      );
    acknowledge(merchant, 'merchant');
    acknowledge(operator, 'operator');
    return { merchant, operator };
  }

  /** The base URL, ending in `/`. */
  get url(): string {
    return this.stage.url;
  }

  /** The notification URL to register at Mercado Pago. */
  get webhookUrl(): string {
    return `${this.stage.url}${WEBHOOK_PATH.replace(/^\//, '')}`;
  }
}

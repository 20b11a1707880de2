/**
 * The HTTP API of ../shared/API.md: every route of ROUTES to its function. Merchant routes need AWS IAM
 * (SigV4) by default, or a JWT from the configured issuer; the webhook route is public (Mercado Pago cannot
 * sign for AWS: the function checks its own signature). A `$default` route, behind the merchant authorizer
 * too, sends every other request to functions/not-found, which answers API.md's problem+json 404/405 (an
 * unauthenticated caller still gets API Gateway's 403/401 first). One `$default` stage, throttled, with
 * JSON access logs.
 */

import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { INTEGRATION_TIMEOUT_SECONDS } from '../../functions/config/timing.ts';
import { type FunctionName, ROUTES } from '../../functions/routes.ts';
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

  /** The base URL, ending in `/`. */
  get url(): string {
    return this.stage.url;
  }

  /** The notification URL to register at Mercado Pago. */
  get webhookUrl(): string {
    return `${this.stage.url}${WEBHOOK_PATH.replace(/^\//, '')}`;
  }
}

import type { Request as MiddyRequest } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Logger } from '../observability/logger.ts';

/** What a route handler sees: the API Gateway event, decoded and checked by the pipeline. */
export interface HttpRequest {
  /** API Gateway's route key, e.g. `POST /payments/{paymentId}/refunds`. */
  routeKey: string;
  method: string;
  path: string;
  pathParameters: Record<string, string>;
  query: Record<string, string>;
  /** Lower-case names; repeated headers comma-joined (as API Gateway sends them). */
  headers: Record<string, string>;
  /** The body as text (decoded when API Gateway sent it base64); undefined when there is none. */
  rawBody: string | undefined;
  /** Parsed JSON; undefined when there is no body (which `parseBody` reads as `{}`). */
  body: unknown;
  /** The response's `x-request-id`. */
  requestId: string;
  /** IAM user ARN, else the JWT `sub`, else `local`. */
  caller: string;
  /** Carries requestId and routeKey. */
  log: Logger;
  /** Epoch ms by which the handler must have answered: the Lambda's remaining time minus a margin. */
  deadline: number;
}

export interface HttpResponse {
  status: number;
  /** Serialized as JSON; absent = no body (e.g. 204). */
  body?: unknown;
  /** A body sent as it is (e.g. CSV), with the route's own `content-type`; instead of `body`. */
  text?: string;
  headers?: Record<string, string>;
}

export type RouteHandler = (req: HttpRequest) => Promise<HttpResponse>;

export interface RouteConfig {
  handler: RouteHandler;
  /**
   * Skip the JSON Content-Type rule (the webhook takes what Mercado Pago sends): any Content-Type is
   * accepted and a body that is not JSON leaves `body` undefined instead of answering 400; `rawBody` stays.
   */
  acceptAnyContentType?: boolean;
}

/** Keyed by route key (`GET /pos/{externalPosId}/order`). */
export type Routes = Record<string, RouteHandler | RouteConfig>;

export type HttpLambdaResult = APIGatewayProxyStructuredResultV2;

/** What API Gateway (HTTP API, payload v2) invokes, and what the local server calls. */
export type HttpLambdaHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<HttpLambdaResult>;

/** The route a request resolved to. */
export interface ResolvedRoute {
  routeKey: string;
  pathParameters: Record<string, string>;
  config: RouteConfig;
}

/** What the middlewares learn about a request, passed on to the next ones and to the dispatch. */
export interface PipelineState {
  headers?: Record<string, string>;
  requestId?: string;
  startedAt?: number;
  route?: ResolvedRoute;
  rawBody?: string;
  body?: unknown;
  /** The problem code answered, for the access log. */
  problemCode?: string;
}

/** The Lambda context, carrying the pipeline's state (middy's convention for handing values to the handler). */
export type PipelineContext = Context & { http?: PipelineState };

export type PipelineRequest = MiddyRequest<APIGatewayProxyEventV2, HttpLambdaResult, Error, PipelineContext>;

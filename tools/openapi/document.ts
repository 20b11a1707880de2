/**
 * The OpenAPI 3.1 document of API.md, generated from ROUTES and from the zod schemas the functions validate
 * requests with (plus response-schemas.ts), so it cannot drift from what is served. Served by the local
 * server at GET /openapi.json. Never imported by a function handler: it would only grow their bundles.
 */
import * as z from 'zod/mini';
import { cancellationBodySchema } from '../../functions/cancellation/schemas.ts';
import { amountSchema, MAX_AMOUNT } from '../../functions/http/amount-schema.ts';
import {
  externalPosIdSchema,
  idempotencyKeySchema,
  orderIdSchema,
  paymentIdSchema,
} from '../../functions/http/parameters.ts';
import { Problem, type ProblemCode } from '../../functions/http/problems.ts';
import {
  cancellationResolutionBodySchema,
  recheckBodySchema,
  refundResolutionBodySchema,
} from '../../functions/ops/schemas.ts';
import { createOrderRefundBodySchema, orderCancellationBodySchema } from '../../functions/orders/schemas.ts';
import { putQrOrderBodySchema, qrOrderItemSchema } from '../../functions/qr-orders/schemas.ts';
import { createRefundBodySchema, refundIdSchema } from '../../functions/refunds/schemas.ts';
import { daySchema } from '../../functions/reports/schemas.ts';
import { OPERATOR_SCOPE, ROUTES, type RouteDefinition, routeKey } from '../../functions/routes.ts';
import {
  ANY_ROUTE_PROBLEMS,
  NO_ROUTE_PROBLEMS,
  OPERATIONS,
  type OperationSpec,
  type SchemaName,
} from './operations.ts';
import {
  attentionListSchema,
  cancellationPendingSchema,
  cancellationResolvedSchema,
  fieldProblemSchema,
  historySchema,
  orderCancellationPendingSchema,
  orderCancelledSchema,
  paymentCancelledSchema,
  paymentRefundsSchema,
  problemSchema,
  qrOrderSchema,
  reconciliationSchema,
  refundSchema,
  reportedRefundsSchema,
  webhookAnswerSchema,
  webhookNotificationSchema,
} from './response-schemas.ts';

type JsonObject = Record<string, unknown>;

const COMPONENT_SCHEMAS: Record<SchemaName, z.ZodMiniType> = {
  CreateRefundRequest: createRefundBodySchema,
  CreateOrderRefundRequest: createOrderRefundBodySchema,
  CancellationRequest: cancellationBodySchema,
  OrderCancellationRequest: orderCancellationBodySchema,
  PutQrOrderRequest: putQrOrderBodySchema,
  QrOrderItemRequest: qrOrderItemSchema,
  WebhookNotification: webhookNotificationSchema,
  RefundResolutionRequest: refundResolutionBodySchema,
  CancellationResolutionRequest: cancellationResolutionBodySchema,
  RecheckRequest: recheckBodySchema,
  AttentionList: attentionListSchema,
  History: historySchema,
  CancellationResolved: cancellationResolvedSchema,
  Refund: refundSchema,
  PaymentRefunds: paymentRefundsSchema,
  PaymentCancelled: paymentCancelledSchema,
  CancellationPending: cancellationPendingSchema,
  OrderCancelled: orderCancelledSchema,
  OrderCancellationPending: orderCancellationPendingSchema,
  QrOrder: qrOrderSchema,
  WebhookAnswer: webhookAnswerSchema,
  Problem: problemSchema,
  FieldProblem: fieldProblemSchema,
  ReportedRefunds: reportedRefundsSchema,
  Reconciliation: reconciliationSchema,
};

const PATH_PARAMETERS: Record<string, { schema: z.ZodMiniType; description: string }> = {
  paymentId: { schema: paymentIdSchema, description: "Mercado Pago's payment id: 1 to 20 digits." },
  orderId: {
    schema: orderIdSchema,
    description:
      'An Orders API order id: `ORD` and 20 to 40 letters or digits, either case (shown upper case).',
  },
  refundId: { schema: refundIdSchema, description: "This service's refund id (`id` of a refund object)." },
  externalPosId: { schema: externalPosIdSchema, description: "The till's external id." },
  date: { schema: daySchema, description: 'A UTC day, YYYY-MM-DD.' },
};

/**
 * Refinements (`z.refine`) have no JSON Schema form: the generator drops them. Each refined schema gets
 * what its refinements check here, by hand; a refined schema missing from this map fails the generation.
 */
const REFINED = new Map<z.ZodMiniType, JsonObject>([
  [daySchema, { format: 'date', description: 'A UTC day, YYYY-MM-DD.' }],
  [
    amountSchema,
    {
      exclusiveMinimum: 0,
      maximum: MAX_AMOUNT,
      multipleOf: 0.01,
      description: "Major units of the payment's currency; at most 2 decimals (none for CLP and COP).",
    },
  ],
]);

const hasRefinement = (schema: z.core.$ZodType): boolean =>
  (schema._zod.def.checks ?? []).some((check) => check._zod.def.check === 'custom');

/** `$schema`/`$id` are the generator's, meaningless inside an OpenAPI document. */
const embeddable = ({ $schema: _, $id: __, ...schema }: JsonObject): JsonObject => schema;

const jsonSchemaParams = {
  io: 'input',
  override: (ctx: { zodSchema: z.core.$ZodType; jsonSchema: JsonObject; path: (string | number)[] }) => {
    const byHand = REFINED.get(ctx.zodSchema as z.ZodMiniType);
    if (byHand) Object.assign(ctx.jsonSchema, byHand);
    else if (hasRefinement(ctx.zodSchema)) {
      throw new Error(`openapi: a refined schema at ${ctx.path.join('.') || '(root)'} needs REFINED`);
    }
  },
} as const;

const componentSchemas = (): JsonObject => {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENT_SCHEMAS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    ...jsonSchemaParams,
    uri: (id) => `#/components/schemas/${id}`,
  });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, embeddable(schema)]));
};

const schemaOf = (schema: z.ZodMiniType): JsonObject => embeddable(z.toJSONSchema(schema, jsonSchemaParams));

const ref = (kind: 'schemas' | 'parameters' | 'headers' | 'responses', name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});

const problemMarkdown = (codes: readonly ProblemCode[]): string =>
  codes.map((code) => `\`${code}\`: ${Problem[code].title}`).join('; ');

/** One problem+json answer per status: every code of that status this operation may answer. */
const problemAnswers = (codes: readonly ProblemCode[], replayable: boolean): JsonObject => {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of new Set(codes)) {
    const status = Problem[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, group]) => [
      String(status),
      {
        description: problemMarkdown(group),
        headers: {
          'x-request-id': ref('headers', 'RequestId'),
          ...(group.includes('REFUND_IN_PROGRESS') || group.includes('UPSTREAM_UNAVAILABLE')
            ? { 'Retry-After': ref('headers', 'RetryAfter') }
            : {}),
          // Refused requests (400, 413, 415) and failures (5xx) are not stored: they are never replays.
          ...(replayable && status < 500 && ![400, 413, 415].includes(status)
            ? { 'Idempotent-Replayed': ref('headers', 'IdempotentReplayed') }
            : {}),
        },
        content: {
          'application/problem+json': {
            schema: { ...ref('schemas', 'Problem'), properties: { code: { enum: group } } },
          },
        },
      },
    ]),
  );
};

const pathParameterNames = (path: string): string[] =>
  [...path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1]!);

const operationOf = (route: RouteDefinition, spec: OperationSpec): JsonObject => {
  const replayable = spec.idempotencyKey !== undefined;
  const parameters: JsonObject[] = [
    ...pathParameterNames(route.path).map((name) => ref('parameters', name)),
    ...(spec.idempotencyKey
      ? [ref('parameters', spec.idempotencyKey === 'required' ? 'IdempotencyKey' : 'OptionalIdempotencyKey')]
      : []),
    ref('parameters', 'RequestId'),
    ...Object.entries(spec.query ?? {}).map(([name, description]) => ({
      name,
      in: 'query',
      required: false,
      description,
      schema: { type: 'string' },
    })),
    ...Object.entries(spec.headers ?? {}).map(([name, description]) => ({
      name,
      in: 'header',
      required: false,
      description,
      schema: { type: 'string' },
    })),
  ];
  const answers = Object.fromEntries(
    spec.answers.map((answer) => [
      String(answer.status),
      {
        description: answer.description,
        headers: {
          'x-request-id': ref('headers', 'RequestId'),
          ...(replayable ? { 'Idempotent-Replayed': ref('headers', 'IdempotentReplayed') } : {}),
        },
        ...(answer.schema
          ? { content: { 'application/json': { schema: ref('schemas', answer.schema) } } }
          : {}),
      },
    ]),
  );
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    description: spec.description,
    tags: [route.function],
    ...(route.auth === 'public' ? { security: [] } : {}),
    // The operator policy (IAM), or a token with the operator scope (JWT): not the merchant's permission.
    ...(route.auth === 'operator' ? { security: [{ sigv4: [] }, { jwt: [OPERATOR_SCOPE] }] } : {}),
    parameters,
    ...(spec.body
      ? {
          requestBody: {
            required: spec.body.required,
            description: spec.body.description,
            content: { 'application/json': { schema: ref('schemas', spec.body.schema) } },
          },
        }
      : {}),
    responses: { ...answers, ...problemAnswers([...spec.problems, ...ANY_ROUTE_PROBLEMS], replayable) },
  };
};

const paths = (): JsonObject => {
  const unknown = Object.keys(OPERATIONS).filter((key) => !ROUTES.some((route) => routeKey(route) === key));
  if (unknown.length > 0) throw new Error(`openapi: operations without a route: ${unknown.join(', ')}`);
  const out: Record<string, JsonObject> = {};
  for (const route of ROUTES) {
    const spec = OPERATIONS[routeKey(route)];
    if (!spec) throw new Error(`openapi: no operation described for ${routeKey(route)}`);
    out[route.path] = { ...out[route.path], [route.method.toLowerCase()]: operationOf(route, spec) };
  }
  return out;
};

const parameters = (): JsonObject => ({
  ...Object.fromEntries(
    Object.entries(PATH_PARAMETERS).map(([name, { schema, description }]) => [
      name,
      { name, in: 'path', required: true, description, schema: schemaOf(schema) },
    ]),
  ),
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: true,
    description:
      'Global: the same key on another payment or route is 422 IDEMPOTENCY_KEY_REUSED. A repeated request ' +
      'with the same key and fingerprint answers the stored answer; while the first runs, 409 ' +
      'REFUND_IN_PROGRESS with Retry-After.',
    schema: schemaOf(idempotencyKeySchema),
  },
  OptionalIdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: 'Same rules as for refunds; without one the Mercado Pago key is derived from the payment.',
    schema: schemaOf(idempotencyKeySchema),
  },
  RequestId: {
    name: 'x-request-id',
    in: 'header',
    required: false,
    description:
      "Kept as the response's x-request-id when it is 1 to 128 of letters, digits, `.`, `_`, `:`, `-`.",
    schema: { type: 'string' },
  },
});

const headers = (): JsonObject => ({
  RequestId: {
    description: "The request's id: the caller's when safe, else a new one. Logs carry it.",
    schema: { type: 'string' },
  },
  IdempotentReplayed: {
    description: '`true` when this is the stored answer of an earlier request with the same Idempotency-Key.',
    schema: { type: 'string', enum: ['true'] },
  },
  RetryAfter: {
    description: 'With REFUND_IN_PROGRESS and UPSTREAM_UNAVAILABLE: seconds to wait before retrying.',
    schema: { type: 'integer', minimum: 0 },
  },
  Allow: { description: 'The methods of this path, e.g. `GET, POST`.', schema: { type: 'string' } },
});

const noRouteResponses = (): JsonObject =>
  Object.fromEntries(
    NO_ROUTE_PROBLEMS.map((code) => [
      code,
      {
        description: `${Problem[code].title} (\`${code}\`), for a request that matches no operation.`,
        headers: {
          'x-request-id': ref('headers', 'RequestId'),
          ...(code === 'METHOD_NOT_ALLOWED' ? { Allow: ref('headers', 'Allow') } : {}),
        },
        content: {
          'application/problem+json': {
            schema: { ...ref('schemas', 'Problem'), properties: { code: { const: code } } },
          },
        },
      },
    ]),
  );

const DESCRIPTION = [
  'Refunds, cancellations and in-store QR orders of Mercado Pago payments and Orders API orders, and the',
  'notification URL.',
  'Errors are RFC 9457 problem details (`application/problem+json`); `code` is what clients branch on.',
  'Operator routes (tag `ops`) need their own permission: the operator IAM policy, or the JWT scope',
  '`refunds/ops`.',
  'A request matching no operation answers `404 NOT_FOUND`, or `405 METHOD_NOT_ALLOWED` with `Allow` for a',
  'known path (components.responses). In AWS, API Gateway answers some errors itself in its own format',
  '(`{"message"}`): an IAM 403 (or JWT 401) and throttling 429. The local server (`npm start`) needs no',
  'authentication and also serves `GET /health` and this document at `GET /openapi.json`.',
].join(' ');

export const openApiDocument = (): object => ({
  openapi: '3.1.0',
  info: { title: 'Mercado Pago refunds API', version: '1.0.0', description: DESCRIPTION },
  servers: [
    { url: 'http://127.0.0.1:3000', description: 'The local server of `npm start` (PORT)' },
    {
      url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
      description: "The stack's HTTP API (output ApiUrl)",
      variables: { apiId: { default: 'abcdef1234' }, region: { default: 'sa-east-1' } },
    },
  ],
  security: [{ sigv4: [] }, { jwt: [] }],
  tags: [...new Set(ROUTES.map((route) => route.function))].map((name) => ({ name })),
  paths: paths(),
  components: {
    schemas: componentSchemas(),
    parameters: parameters(),
    headers: headers(),
    responses: noRouteResponses(),
    securitySchemes: {
      sigv4: {
        type: 'apiKey',
        name: 'Authorization',
        in: 'header',
        description:
          'AWS Signature Version 4 (service `execute-api`), the default (`authMode=iam`): the caller needs ' +
          '`execute-api:Invoke` on the route.',
        'x-amazon-apigateway-authtype': 'awsSigv4',
      },
      jwt: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'With `authMode=jwt` instead: a token from the configured issuer and audience.',
      },
    },
  },
});

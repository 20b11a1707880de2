/**
 * The OpenAPI document against everything that serves the API: ROUTES, the synthesized stack's HTTP API
 * routes, the local server (over HTTP, /openapi.json included), and the zod schemas the functions validate
 * request bodies with.
 */
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { cancelledResponse, pendingResponse } from '../../functions/cancellation/responses.ts';
import { cancellationBodySchema } from '../../functions/cancellation/schemas.ts';
import { Problem, type ProblemCode, ProblemError, problemBody } from '../../functions/http/problems.ts';
import type { RefundView } from '../../functions/model/ledger/view.ts';
import {
  cancellationResolutionBodySchema,
  recheckBodySchema,
  refundResolutionBodySchema,
} from '../../functions/ops/schemas.ts';
import { orderCancellationResponse } from '../../functions/orders/responses.ts';
import { createOrderRefundBodySchema, orderCancellationBodySchema } from '../../functions/orders/schemas.ts';
import { putQrOrderBodySchema } from '../../functions/qr-orders/schemas.ts';
import { createRefundBodySchema } from '../../functions/refunds/schemas.ts';
import { FUNCTION_ENTRIES, FunctionName, ROUTES, routeKey } from '../../functions/routes.ts';
import { OPENAPI_PATH, openApiRoute } from '../../local/openapi-route.ts';
import { type LambdaHttpHandler, type LocalServer, startLocalServer } from '../../local/server.ts';
import { openApiDocument } from '../../tools/openapi/document.ts';
import { captureLogs } from '../http/helpers.ts';
import { resourcesOf, type Synthesized, synthesize } from '../infra/synth.ts';
import { resolvePointer, validate } from './json-schema.ts';

type Json = Record<string, any>;

const doc = openApiDocument() as Json;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** `POST /payments/{paymentId}/refunds` of every operation of the document. */
const documentedRouteKeys = (): string[] =>
  Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    Object.keys(item as Json)
      .filter((key) => METHODS.includes(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );

const operations = (): { key: string; path: string; method: string; operation: Json }[] =>
  Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json).map(([method, operation]) => ({
      key: `${method.toUpperCase()} ${path}`,
      path,
      method,
      operation: operation as Json,
    })),
  );

const deref = (value: Json): Json => (value.$ref ? (resolvePointer(doc, value.$ref) as Json) : value);

const allRefs = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.flatMap(allRefs);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [inner] : allRefs(inner),
  );
};

describe('document shape (OpenAPI 3.1)', () => {
  it('is plain JSON with the top-level fields of OpenAPI 3.1', () => {
    expect(JSON.parse(JSON.stringify(doc))).toStrictEqual(doc);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.servers.length).toBeGreaterThan(0);
    for (const server of doc.servers) expect(server.url).toMatch(/^https?:\/\//);
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
  });

  it('resolves every $ref', () => {
    const refs = allRefs(doc);
    expect(refs.length).toBeGreaterThan(20);
    for (const pointer of new Set(refs)) {
      expect(resolvePointer(doc, pointer), pointer).toBeTypeOf('object');
    }
  });

  it('gives every operation a unique operationId, answers with descriptions, and its path parameters', () => {
    const ids = operations().map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { key, path, method, operation } of operations()) {
      expect(METHODS, key).toContain(method);
      expect(operation.operationId, key).toMatch(/^[A-Za-z]+$/);
      const responses = Object.entries(operation.responses as Json);
      expect(responses.length, key).toBeGreaterThan(0);
      for (const [status, response] of responses) {
        expect(status, key).toMatch(/^[1-5]\d\d$/);
        expect(deref(response as Json).description, `${key} ${status}`).toEqual(expect.any(String));
      }
      const parameters = (operation.parameters as Json[]).map(deref);
      const pathParameters = parameters.filter((parameter) => parameter.in === 'path');
      const inTemplate = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      expect(pathParameters.map((parameter) => parameter.name).sort(), key).toEqual(inTemplate.sort());
      for (const parameter of pathParameters) expect(parameter.required, key).toBe(true);
      for (const parameter of parameters) expect(['path', 'query', 'header'], key).toContain(parameter.in);
    }
  });

  it('puts merchant operations behind SigV4 (or JWT) and leaves the webhook public', () => {
    expect(doc.components.securitySchemes.sigv4).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      'x-amazon-apigateway-authtype': 'awsSigv4',
    });
    expect(doc.security).toEqual([{ sigv4: [] }, { jwt: [] }]);
    for (const route of ROUTES) {
      const operation = doc.paths[route.path][route.method.toLowerCase()];
      if (route.auth === 'public') expect(operation.security).toEqual([]);
      else if (route.auth === 'operator')
        expect(operation.security).toEqual([{ sigv4: [] }, { jwt: ['refunds/ops'] }]);
      else expect(operation.security).toBeUndefined();
    }
  });

  it('lists every problem code of errors.ts, each answered somewhere with its status', () => {
    const codes = Object.keys(Problem) as ProblemCode[];
    expect(doc.components.schemas.Problem.properties.code.enum).toEqual(codes);
    expect(doc.components.schemas.Problem.required).toEqual(['type', 'title', 'status', 'detail', 'code']);
    const answered = new Map<string, string>();
    const collect = (status: string, response: Json) => {
      const schema = response.content?.['application/problem+json']?.schema;
      if (!schema) return;
      const named = schema.properties.code.enum ?? [schema.properties.code.const];
      for (const code of named) answered.set(code, status);
    };
    for (const { operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses as Json)) collect(status, response);
    }
    collect('404', doc.components.responses.NOT_FOUND);
    collect('405', doc.components.responses.METHOD_NOT_ALLOWED);
    expect([...answered.keys()].sort()).toEqual([...codes].sort());
    for (const [code, status] of answered)
      expect(Number(status), code).toBe(Problem[code as ProblemCode].status);
    expect(doc.components.responses.METHOD_NOT_ALLOWED.headers.Allow).toBeDefined();
  });

  it('declares Idempotency-Key, x-request-id, Idempotent-Replayed and Retry-After where API.md has them', () => {
    const create = doc.paths['/payments/{paymentId}/refunds'].post;
    const headerNames = (create.parameters as Json[]).map(deref).filter((p) => p.in === 'header');
    expect(headerNames).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', required: true }));
    expect(headerNames).toContainEqual(expect.objectContaining({ name: 'x-request-id', required: false }));
    const cancel = doc.paths['/payments/{paymentId}/cancellation'].post;
    expect((cancel.parameters as Json[]).map(deref)).toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', required: false }),
    );
    expect(Object.keys(create.responses['201'].headers)).toEqual(['x-request-id', 'Idempotent-Replayed']);
    expect(create.responses['409'].headers['Retry-After']).toBeDefined();
    // Refused requests are not stored, so never replayed.
    expect(create.responses['400'].headers['Idempotent-Replayed']).toBeUndefined();
    for (const { key, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses as Json)) {
        expect((response as Json).headers['x-request-id'], `${key} ${status}`).toBeDefined();
        if (status === '503') expect((response as Json).headers['Retry-After'], key).toBeDefined();
      }
    }
  });
});

describe('routes', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthesize();
  });
  afterAll(() => synth?.cleanup());

  it('are exactly those of ROUTES', () => {
    expect(documentedRouteKeys().sort()).toEqual(ROUTES.map(routeKey).sort());
  });

  it("are exactly the stack's HTTP API routes, but for $default (the 404/405 function)", () => {
    const routes = Object.values(resourcesOf(synth.template, 'AWS::ApiGatewayV2::Route'));
    const keys = routes.map((route) => route.Properties.RouteKey as string);
    expect(keys).toContain('$default');
    expect(keys.filter((key) => key !== '$default').sort()).toEqual(documentedRouteKeys().sort());
    for (const route of routes) {
      const key = route.Properties.RouteKey as string;
      if (key === '$default') continue;
      const [method, path] = key.split(' ') as [string, string];
      const isPublic = doc.paths[path][method.toLowerCase()].security?.length === 0;
      expect(route.Properties.AuthorizationType === 'NONE', key).toBe(isPublic);
    }
  });

  describe('the local server', () => {
    let server: LocalServer;
    const reached: string[] = [];
    const stub: LambdaHttpHandler = async (event: APIGatewayProxyEventV2) => {
      reached.push(event.routeKey);
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
    };
    const examples: Record<string, string> = {
      paymentId: '123',
      refundId: 'r-1',
      externalPosId: 'POS_1',
      orderId: 'ORD01JQ4S4KY8HWQ6NA5PXB65B3D3',
    };
    const concrete = (path: string) => path.replace(/\{(\w+)\}/g, (_, name: string) => examples[name]!);

    beforeAll(async () => {
      server = await startLocalServer({
        port: 0,
        host: '127.0.0.1',
        handlers: Object.fromEntries(Object.values(FunctionName).map((name) => [name, stub])),
        extraRoutes: [openApiRoute],
        log: captureLogs().logger,
      });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('serves every documented operation (none is 404/405)', async () => {
      for (const key of documentedRouteKeys()) {
        const [method, path] = key.split(' ') as [string, string];
        reached.length = 0;
        const response = await fetch(`${server.url}${concrete(path)}`, { method });
        expect(response.status, key).toBe(200);
        expect(reached, key).toEqual([key]);
      }
    });

    it('answers 405 with Allow = the documented methods for any other method of a documented path', async () => {
      for (const [path, item] of Object.entries(doc.paths as Json)) {
        const documented = Object.keys(item as Json).map((method) => method.toUpperCase());
        for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter(
          (m) => !documented.includes(m),
        )) {
          const response = await fetch(`${server.url}${concrete(path)}`, { method });
          expect(response.status, `${method} ${path}`).toBe(405);
          expect(response.headers.get('allow')?.split(', ').sort(), path).toEqual([...documented].sort());
          expect(((await response.json()) as Json).code).toBe('METHOD_NOT_ALLOWED');
        }
      }
    });

    it('answers 404 NOT_FOUND as problem+json for an undocumented path', async () => {
      const response = await fetch(`${server.url}/payments/123/refunds/r-1/extra`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(((await response.json()) as Json).code).toBe('NOT_FOUND');
    });

    it(`serves this document at GET ${OPENAPI_PATH}, with the x-request-id of every answer`, async () => {
      const response = await fetch(`${server.url}${OPENAPI_PATH}`, { headers: { 'x-request-id': 'doc-1' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.get('x-request-id')).toBe('doc-1');
      const unsafe = await fetch(`${server.url}${OPENAPI_PATH}`, { headers: { 'x-request-id': 'a b' } });
      expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(await response.json()).toStrictEqual(doc);
      expect((await fetch(`${server.url}${OPENAPI_PATH}`, { method: 'POST' })).status).toBe(404);
    });
  });
});

describe('request bodies', () => {
  const requestSchema = (key: string): Json => {
    const [method, path] = key.split(' ') as [string, string];
    return doc.paths[path][method.toLowerCase()].requestBody.content['application/json'].schema;
  };
  const docErrors = (key: string, body: unknown) => validate(doc, requestSchema(key), body);

  /** The zod schema each route validates with, a valid body, and bodies both must refuse. */
  const cases: { key: string; zod: z.ZodMiniType; valid: unknown[]; invalid: unknown[] }[] = [
    {
      key: 'POST /payments/{paymentId}/refunds',
      zod: createRefundBodySchema,
      valid: [
        {},
        { amount: 10.5, reason: 'returned', externalReference: 'ORDER-1' },
        { amount: 10.1 },
        { amount: 0.01 },
        { amount: 999_999_999 },
      ],
      invalid: [
        { ammount: 10 },
        { amount: 0 },
        { amount: -1 },
        { amount: 10.001 },
        { amount: 1_000_000_000 },
        { amount: '10' },
        { reason: 'x'.repeat(256) },
        { externalReference: 'not ok!' },
      ],
    },
    {
      key: 'POST /payments/{paymentId}/cancellation',
      zod: cancellationBodySchema,
      valid: [{}],
      invalid: [{ reason: 'no' }],
    },
    ...['/payments/{paymentId}', '/orders/{orderId}'].flatMap((subject) => [
      { key: `POST ${subject}/recheck`, zod: recheckBodySchema, valid: [{}], invalid: [{ force: true }] },
      {
        key: `POST ${subject}/refunds/{refundId}/resolution`,
        zod: refundResolutionBodySchema,
        valid: [
          { outcome: 'failed', note: 'no refund in the panel' },
          { outcome: 'succeeded', mercadoPagoRefundId: '1234567', note: 'the panel shows it' },
        ],
        invalid: [
          { outcome: 'failed' },
          { outcome: 'done', note: 'x' },
          { outcome: 'failed', note: '' },
          { outcome: 'failed', note: 'x'.repeat(501) },
          { outcome: 'succeeded', mercadoPagoRefundId: 'not an id!', note: 'x' },
        ],
      },
      {
        key: `POST ${subject}/cancellation/resolution`,
        zod: cancellationResolutionBodySchema,
        valid: [{ outcome: 'not_cancelled', note: 'still pending in the panel' }],
        invalid: [{ outcome: 'failed', note: 'x' }, { outcome: 'cancelled' }],
      },
    ]),
    {
      key: 'POST /orders/{orderId}/refunds',
      zod: createOrderRefundBodySchema,
      valid: [
        {},
        { amount: 10.5, reason: 'returned', externalReference: 'ORDER-1', transactionId: 'PAY01ABC' },
      ],
      invalid: [{ ammount: 10 }, { amount: 0 }, { transactionId: 'PAY 1' }, { transactionId: '' }],
    },
    {
      key: 'POST /orders/{orderId}/cancellation',
      zod: orderCancellationBodySchema,
      valid: [{}],
      invalid: [{ reason: 'no' }],
    },
    {
      key: 'PUT /pos/{externalPosId}/order',
      zod: putQrOrderBodySchema,
      valid: [
        {
          externalStoreId: 'STORE_1',
          externalReference: 'SALE-1',
          title: 'Lunch',
          description: 'Table 4',
          totalAmount: 25,
          items: [
            {
              skuNumber: 'B-1',
              category: 'food',
              title: 'Burger',
              description: 'Large',
              unitPrice: 12.5,
              quantity: 2,
              unitMeasure: 'unit',
              totalAmount: 25,
            },
          ],
          ttlSeconds: 600,
        },
      ],
      invalid: [
        { externalReference: 'SALE-1', title: 'Lunch', totalAmount: 25, items: [] },
        {
          externalReference: 'SALE-1',
          title: 'Lunch',
          totalAmount: 25,
          items: [
            {
              title: 'Burger',
              unitPrice: 25,
              quantity: 1,
              unitMeasure: 'unit',
              totalAmount: 25,
              color: 'red',
            },
          ],
        },
        ...[{ quantity: 0 }, { quantity: 1.5 }, { unitMeasure: 'kg' }, { unitPrice: 0.001 }].map(
          (change) => ({
            externalReference: 'SALE-1',
            title: 'Lunch',
            totalAmount: 25,
            items: [
              {
                title: 'Burger',
                unitPrice: 25,
                quantity: 1,
                unitMeasure: 'unit',
                totalAmount: 25,
                ...change,
              },
            ],
          }),
        ),
        ...[{ ttlSeconds: 29 }, { ttlSeconds: 86_401 }, { title: '' }, { externalStoreId: 'a b' }].map(
          (change) => ({
            externalReference: 'SALE-1',
            title: 'Lunch',
            totalAmount: 25,
            items: [{ title: 'Burger', unitPrice: 25, quantity: 1, unitMeasure: 'unit', totalAmount: 25 }],
            ...change,
          }),
        ),
      ],
    },
  ];

  it('covers every operation with a JSON request body but the webhook', () => {
    const withBody = operations()
      .filter(({ operation }) => operation.requestBody)
      .map(({ key }) => key)
      .filter((key) => key !== 'POST /webhooks/mercadopago');
    expect(withBody.sort()).toEqual(cases.map(({ key }) => key).sort());
  });

  it.each(cases)(
    '$key: the document accepts and refuses what the function does',
    ({ key, zod, valid, invalid }) => {
      for (const body of valid) {
        expect(zod.safeParse(body).success, JSON.stringify(body)).toBe(true);
        expect(docErrors(key, body), JSON.stringify(body)).toEqual([]);
        // additionalProperties: false, as z.strictObject.
        const withUnknown = { ...(body as object), unexpectedField: 1 };
        expect(zod.safeParse(withUnknown).success).toBe(false);
        expect(docErrors(key, withUnknown)).toEqual(['$: has unknown field unexpectedField']);
      }
      for (const body of invalid) {
        expect(zod.safeParse(body).success, JSON.stringify(body)).toBe(false);
        expect(docErrors(key, body).length, JSON.stringify(body)).toBeGreaterThan(0);
      }
    },
  );

  it('leaves the webhook body open: Mercado Pago sends fields this service does not read', () => {
    const notification = {
      id: 12_345,
      live_mode: true,
      type: 'payment',
      date_created: '2026-01-31T12:00:00Z',
      user_id: 44_444,
      api_version: 'v1',
      action: 'payment.updated',
      data: { id: '999999' },
    };
    expect(docErrors('POST /webhooks/mercadopago', notification)).toEqual([]);
  });
});

describe('response bodies', () => {
  const schema = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

  it('describe what the functions answer', () => {
    const refund: RefundView = {
      id: 'r-1',
      paymentId: '123',
      amount: 10.5,
      currency: 'BRL',
      status: 'failed',
      origin: 'api',
      mercadoPagoRefundId: null,
      idempotencyKey: 'key-1',
      reason: 'returned',
      failure: { code: 'REFUND_REJECTED', detail: 'Mercado Pago rejected the refund.' },
      createdAt: '2026-01-31T12:00:00.000Z',
      updatedAt: '2026-01-31T12:00:01.000Z',
    };
    expect(validate(doc, schema('Refund'), refund)).toEqual([]);
    expect(validate(doc, schema('Refund'), { ...refund, createdAt: '2026-01-31T12:00:00Z' })).not.toEqual([]);
    expect(
      validate(doc, schema('PaymentRefunds'), {
        paymentId: '123',
        status: 'approved',
        statusDetail: 'accredited',
        currency: 'BRL',
        amount: 100,
        refundedAmount: 0,
        pendingAmount: 0,
        refundableAmount: 100,
        refunds: [refund],
        chargebacks: [],
      }),
    ).toEqual([]);
    expect(validate(doc, schema('PaymentCancelled'), cancelledResponse('123', 'by_collector').body)).toEqual(
      [],
    );
    expect(validate(doc, schema('CancellationPending'), pendingResponse('123').body)).toEqual([]);
    const orderId = 'ORD01JQ4S4KY8HWQ6NA5PXB65B3D3';
    expect(validate(doc, schema('Refund'), { ...refund, paymentId: undefined, orderId })).toEqual([]);
    for (const state of [
      { status: 'cancelled', statusDetail: 'canceled_by_api' },
      { status: 'expired', statusDetail: 'expired' },
    ] as const)
      expect(validate(doc, schema('OrderCancelled'), orderCancellationResponse(orderId, state).body)).toEqual(
        [],
      );
    expect(
      validate(
        doc,
        schema('OrderCancellationPending'),
        orderCancellationResponse(orderId, { status: 'pending' }).body,
      ),
    ).toEqual([]);
    const problem = problemBody(
      new ProblemError('VALIDATION_ERROR', 'amount: must be a positive number', {
        errors: [{ field: 'amount', message: 'must be a positive number' }],
      }),
    );
    expect(validate(doc, schema('Problem'), problem)).toEqual([]);
    expect(validate(doc, schema('Problem'), { ...problem, code: 'NOT_A_CODE' })).not.toEqual([]);
  });
});

describe('bundles', () => {
  it('never include the document: no function imports tools/openapi', async () => {
    const root = join(import.meta.dirname, '..', '..');
    for (const entry of Object.values(FUNCTION_ENTRIES)) {
      const { metafile } = await build({
        entryPoints: [join(root, entry)],
        absWorkingDir: root,
        bundle: true,
        write: false,
        metafile: true,
        platform: 'node',
        format: 'esm',
        packages: 'external',
        logLevel: 'silent',
      });
      const inputs = Object.keys(metafile.inputs);
      expect(inputs, entry).toContain(entry);
      expect(
        inputs.filter((input) => input.startsWith('tools/openapi/')),
        entry,
      ).toEqual([]);
    }
  });
});

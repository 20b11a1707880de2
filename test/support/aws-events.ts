/**
 * The events AWS hands each function, for tests of the entry points (handler.ts): HTTP API (payload 2.0)
 * events made from the real captured events of ../shared/events/apigw-http (IAM, JWT authorizer, or no
 * authorizer, as each route is configured), SQS batches, the schedule's EventBridge event and DynamoDB
 * stream batches (view type NEW_IMAGE), in the shapes AWS documents for them.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type {
  APIGatewayProxyEventV2,
  Context,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  ScheduledEvent,
  SQSEvent,
  SQSRecord,
  AttributeValue as StreamAttributeValue,
} from 'aws-lambda';
import type { HttpLambdaResult } from '../../functions/http/types.ts';
import { apiEvent, type EventInput, lambdaContext } from './events.ts';
import type { InvokeResult } from './harness.ts';

export const ACCOUNT_ID = '123456789012';
export const REGION = 'us-east-1';

/** Which captured event a request is made from: how its route is authorized in the stack. */
export type HttpAuth = 'iam' | 'jwt' | 'none';

const TEMPLATE_FILES: Record<HttpAuth, string> = {
  iam: 'iam-auth.json',
  jwt: 'jwt-authorizer-auth.json',
  none: 'no-auth.json',
};

const template = (auth: HttpAuth): APIGatewayProxyEventV2 =>
  JSON.parse(
    readFileSync(
      fileURLToPath(new URL(`../../../shared/events/apigw-http/${TEMPLATE_FILES[auth]}`, import.meta.url)),
      'utf8',
    ),
  ) as APIGatewayProxyEventV2;

/** The IAM caller of iam-auth.json and the JWT subject of jwt-authorizer-auth.json, as handlers see them. */
export const templateCaller = (auth: Exclude<HttpAuth, 'none'>): string => {
  const context = template(auth).requestContext as unknown as {
    authorizer: { iam?: { userArn: string }; jwt?: { claims: { sub: string } } };
  };
  return auth === 'iam' ? context.authorizer.iam!.userArn : context.authorizer.jwt!.claims.sub;
};

/**
 * The event API Gateway sends for a request to a route of functions/routes.ts (or `$default`): the captured
 * event of that authorization, with the request's method, path, query, headers and body.
 */
export const httpApiEvent = (auth: HttpAuth, input: EventInput): APIGatewayProxyEventV2 => {
  const routed = apiEvent(input);
  const captured = template(auth);
  const {
    'content-length': _length,
    authorization,
    ...capturedHeaders
  } = captured.headers as Record<string, string>;
  const timeEpoch = Date.now();
  return {
    ...captured,
    routeKey: routed.routeKey,
    rawPath: routed.rawPath,
    rawQueryString: routed.rawQueryString,
    // A public route's caller (Mercado Pago) sends no Authorization header of ours.
    headers: {
      ...capturedHeaders,
      ...(auth === 'none' ? {} : { authorization: authorization! }),
      ...routed.headers,
    },
    queryStringParameters: routed.queryStringParameters,
    pathParameters: routed.pathParameters,
    body: routed.body,
    isBase64Encoded: false,
    requestContext: {
      ...captured.requestContext,
      routeKey: routed.routeKey,
      http: { ...captured.requestContext.http, method: input.method, path: routed.rawPath },
      requestId: `${randomUUID().slice(0, 14)}=`,
      timeEpoch,
    },
  };
};

export type HttpEntryPoint = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpLambdaResult>;

/** Calls an HTTP function as API Gateway does, and reads its answer. */
export const callHttp = async (
  handler: HttpEntryPoint,
  event: APIGatewayProxyEventV2,
  context: Context = lambdaContext(),
): Promise<InvokeResult> => readResult(await handler(event, context));

/** An HTTP function's result as a client reads it: status, lower-case headers, JSON body. */
export const readResult = (result: HttpLambdaResult): InvokeResult => ({
  status: result.statusCode ?? 200,
  headers: Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  ),
  body: result.body ? JSON.parse(result.body) : undefined,
});

export const md5Hex = (text: string): string => createHash('md5').update(text).digest('hex');

/** One message of an SQS batch, as the event source mapping delivers it. */
export const sqsRecord = (body: string, options: { messageId?: string; receiveCount?: number } = {}) => {
  const sentAt = String(Date.now());
  return {
    messageId: options.messageId ?? randomUUID(),
    receiptHandle: `AQEB${randomUUID().replaceAll('-', '')}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: sentAt,
      SenderId: 'AROAEXAMPLEROLEID:webhook',
      ApproximateFirstReceiveTimestamp: sentAt,
    },
    messageAttributes: {},
    md5OfBody: md5Hex(body),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:notifications`,
    awsRegion: REGION,
  } satisfies SQSRecord;
};

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/** What an EventBridge schedule rule sends its target. */
export const scheduledEvent = (rule = 'reconcile-schedule'): ScheduledEvent => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: ACCOUNT_ID,
  time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  region: REGION,
  resources: [`arn:aws:events:${REGION}:${ACCOUNT_ID}:rule/${rule}`],
  detail: {},
});

/** The stream record DynamoDB writes for an item written (view type NEW_IMAGE). */
export const streamRecord = (
  tableName: string,
  item: Record<string, unknown>,
  sequenceNumber: string,
  eventName: 'INSERT' | 'MODIFY' = 'MODIFY',
): DynamoDBRecord => {
  const image = item as Record<string, StreamAttributeValue>;
  return {
    eventID: randomUUID().replaceAll('-', ''),
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: REGION,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: { pk: image.pk!, sk: image.sk! },
      NewImage: image,
      SequenceNumber: sequenceNumber,
      SizeBytes: JSON.stringify(item).length,
      StreamViewType: 'NEW_IMAGE',
    },
    eventSourceARN: `arn:aws:dynamodb:${REGION}:${ACCOUNT_ID}:table/${tableName}/stream/2024-06-17T15:39:41.000`,
  };
};

export const streamEvent = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });

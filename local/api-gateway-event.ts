import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** What the local server knows of an HTTP request, turned into what API Gateway would send. */
export interface IncomingHttpRequest {
  method: string;
  /** As received: path and query, percent-encoded. */
  url: string;
  /** Node's `rawHeaders`: name, value, name, value... in arrival order. */
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
  protocol: string;
}

export interface MatchedApiRoute {
  routeKey: string;
  pathParameters: Record<string, string>;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** API Gateway's `requestContext.time`: `17/Jun/2024:15:39:41 +0000`. */
export const apiGatewayTime = (ms: number): string => {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
};

/** Bodies API Gateway passes as text; anything else (or bytes that are not UTF-8) goes base64. */
const TEXT_MEDIA_TYPE =
  /^(?:text\/|application\/(?:json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|javascript|x-www-form-urlencoded)\b)/i;

const asText = (body: Buffer, contentType: string | undefined): string | undefined => {
  if (contentType !== undefined && !TEXT_MEDIA_TYPE.test(contentType.trim())) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return undefined;
  }
};

/** Lower-case names, repeats joined by commas (API Gateway's v2 form); cookies apart, as v2 does. */
const collectHeaders = (rawHeaders: readonly string[]) => {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter((c) => c !== ''),
      );
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return { headers, cookies };
};

const collectQuery = (rawQueryString: string): Record<string, string> | undefined => {
  if (rawQueryString === '') return undefined;
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    query[name] = name in query ? `${query[name]},${value}` : value;
  }
  return query;
};

/** An API Gateway HTTP API (payload 2.0) event for a request, as the Lambda would receive it. */
export const toApiGatewayEvent = (
  request: IncomingHttpRequest,
  route: MatchedApiRoute | undefined,
  nowMs: number = Date.now(),
): APIGatewayProxyEventV2 => {
  const queryAt = request.url.indexOf('?');
  const rawPath = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  const rawQueryString = queryAt === -1 ? '' : request.url.slice(queryAt + 1);
  const { headers, cookies } = collectHeaders(request.rawHeaders);
  const domainName = (headers.host ?? 'localhost').replace(/:\d+$/, '');
  const routeKey = route?.routeKey ?? '$default';
  const queryStringParameters = collectQuery(rawQueryString);
  const text = request.body.length > 0 ? asText(request.body, headers['content-type']) : undefined;
  const hasPathParameters = route !== undefined && Object.keys(route.pathParameters).length > 0;

  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: request.method,
        path: rawPath,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomBytes(10).toString('base64'),
      routeKey,
      stage: '$default',
      time: apiGatewayTime(nowMs),
      timeEpoch: nowMs,
    },
    ...(hasPathParameters ? { pathParameters: route.pathParameters } : {}),
    ...(request.body.length > 0 ? { body: text ?? request.body.toString('base64') } : {}),
    isBase64Encoded: request.body.length > 0 && text === undefined,
  };
};

/**
 * The local HTTP server of `npm start`: each request becomes the API Gateway HTTP API (v2) event the
 * deployed API would send, and is handed to the same Lambda handler that runs in AWS.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import {
  matchRoute,
  methodNotAllowed,
  pickRequestId,
  problemResult,
  REQUEST_ID_HEADER,
  routeNotFound,
} from '../functions/http/index.ts';
import { ProblemError } from '../functions/http/problems.ts';
import { type Logger, rootLogger } from '../functions/observability/logger.ts';
import { type FunctionName, ROUTES, type RouteDefinition } from '../functions/routes.ts';
import { toApiGatewayEvent } from './api-gateway-event.ts';
import { createLambdaContext, DEFAULT_FUNCTION_TIMEOUT_MS } from './context.ts';
import { rawHttpResponse, readRawRequestHead } from './raw-http.ts';

/** Any API Gateway v2 Lambda handler (what `createHttpHandler` returns is one). */
export type LambdaHttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2<unknown>>;

/** A local-only endpoint answered by the server itself (not part of the API). */
export interface ExtraRoute {
  method: string;
  /** Template in API Gateway syntax, e.g. `/local/reconcile` or `/local/payments/{paymentId}`. */
  path: string;
  handle: (
    req: IncomingMessage,
    res: ServerResponse,
    pathParameters: Record<string, string>,
  ) => void | Promise<void>;
}

export interface LocalServerOptions {
  port: number;
  host?: string;
  handlers: Partial<Record<FunctionName, LambdaHttpHandler>>;
  routes?: readonly RouteDefinition[];
  extraRoutes?: readonly ExtraRoute[];
  /** Per-function Lambda timeout: drives `getRemainingTimeInMillis`. Default 25 s. */
  timeoutsMs?: Partial<Record<FunctionName, number>>;
  log?: Logger;
}

export interface LocalServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** API Gateway's payload limit; the functions' own 64 KB rule answers below it. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

const readBody = async (req: IncomingMessage): Promise<Buffer | undefined> => {
  const chunks: Buffer[] = [];
  let size = 0;
  // Read to the end even when too large, so the client gets the 413 rather than a reset connection.
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_REQUEST_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_REQUEST_BYTES ? undefined : Buffer.concat(chunks);
};

const writeJson = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

/** API Gateway's own answer when the integration fails (an exception, a timeout): not problem+json. */
const writeGatewayError = (res: ServerResponse, status: number, message: string) =>
  writeJson(res, status, { message });

const writeProblem = (res: ServerResponse, error: ProblemError, requestId: string) => {
  const result = problemResult(error);
  res.writeHead(result.statusCode ?? 500, { ...result.headers, [REQUEST_ID_HEADER]: requestId });
  res.end(result.body);
};

/** Writes a Lambda result the way API Gateway's v2 integration does (including its JSON inference). */
const writeLambdaResult = (res: ServerResponse, result: APIGatewayProxyResultV2<unknown>) => {
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
    return;
  }
  const structured = result as {
    statusCode?: number;
    headers?: Record<string, string | number | boolean>;
    multiValueHeaders?: Record<string, (string | number | boolean)[]>;
    cookies?: string[];
    body?: string;
    isBase64Encoded?: boolean;
  };
  for (const [name, value] of Object.entries(structured.headers ?? {})) res.setHeader(name, String(value));
  for (const [name, values] of Object.entries(structured.multiValueHeaders ?? {})) {
    res.setHeader(name, values.map(String));
  }
  if (structured.cookies?.length) res.setHeader('set-cookie', structured.cookies);
  res.statusCode = structured.statusCode ?? 200;
  const body = structured.body ?? '';
  res.end(structured.isBase64Encoded ? Buffer.from(body, 'base64') : body);
};

const TIMED_OUT = Symbol('timed out');

const withTimeout = <T>(work: Promise<T>, timeoutMs: number): Promise<T | typeof TIMED_OUT> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
};

/** What a request is answered by, decided from its method and path alone. */
type Resolution =
  | { kind: 'health' }
  | { kind: 'extra'; route: ExtraRoute; pathParameters: Record<string, string> }
  | { kind: 'function'; route: RouteDefinition; routeKey: string; pathParameters: Record<string, string> }
  | { kind: 'refused'; problem: ProblemError };

/** A parser refusal carries the bytes it refused (Node adds `rawPacket` to its HPE_* errors). */
type ClientError = Error & { code?: string; rawPacket?: Buffer };

/**
 * Whether an answer to an earlier request on this connection has started: a second one would corrupt it.
 * Node's own clientError handler makes the same check, on the same field.
 */
const answerStarted = (socket: Duplex): boolean =>
  (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;

/**
 * Fails as `listen` would (EADDRINUSE...) when the port cannot be listened on now: `npm start` checks it
 * before starting anything else, so a busy port is reported at once. Port 0 (any free port) always can.
 */
export const checkPortFree = (port: number, host = '127.0.0.1'): Promise<void> =>
  new Promise((resolve, reject) => {
    if (port === 0) return resolve();
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(port, host, () => probe.close(() => resolve()));
  });

export const startLocalServer = async (options: LocalServerOptions): Promise<LocalServer> => {
  const log = options.log ?? rootLogger.child({ component: 'local-server' });
  const allRoutes = options.routes ?? ROUTES;
  const routes = allRoutes.filter((route) => options.handlers[route.function] !== undefined);
  for (const route of allRoutes) {
    if (!routes.includes(route))
      log.warn('route not served: no handler', { route: `${route.method} ${route.path}` });
  }
  const extraRoutes = options.extraRoutes ?? [];

  const resolveRoute = (method: string, rawPath: string): Resolution => {
    if (rawPath === '/health') {
      return method === 'GET'
        ? { kind: 'health' }
        : { kind: 'refused', problem: methodNotAllowed(method, ['GET']) };
    }
    const extra = matchRoute(extraRoutes, method, rawPath);
    if (extra.kind === 'found')
      return { kind: 'extra', route: extra.route, pathParameters: extra.pathParameters };
    const match = matchRoute(routes, method, rawPath);
    if (match.kind === 'found') {
      return {
        kind: 'function',
        route: match.route,
        routeKey: match.routeKey,
        pathParameters: match.pathParameters,
      };
    }
    const problem =
      match.kind === 'not-found' ? routeNotFound(method, rawPath) : methodNotAllowed(method, match.allow);
    return { kind: 'refused', problem };
  };

  /** The access log line of a request the server refused itself (the functions log their own). */
  const logRefusal = (method: string | undefined, problem: ProblemError, requestId: string) =>
    log.info('request', {
      method,
      routeKey: '$default',
      status: problem.status,
      requestId,
      code: problem.code,
    });

  const invoke = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const rawPath = url.split('?')[0]!;
    const header = req.headers[REQUEST_ID_HEADER];
    const requestId = pickRequestId(typeof header === 'string' ? header : undefined);

    const resolution = resolveRoute(method, rawPath);
    if (resolution.kind === 'health') {
      return writeJson(res, 200, { status: 'ok' }, { [REQUEST_ID_HEADER]: requestId });
    }
    if (resolution.kind === 'extra') {
      // Whatever the route writes, it carries the request id as every other answer does.
      res.setHeader(REQUEST_ID_HEADER, requestId);
      return resolution.route.handle(req, res, resolution.pathParameters);
    }
    if (resolution.kind === 'refused') {
      logRefusal(method, resolution.problem, requestId);
      return writeProblem(res, resolution.problem, requestId);
    }

    const { route, routeKey, pathParameters } = resolution;
    const functionName = route.function;
    const handler = options.handlers[functionName]!;
    const timeoutMs = options.timeoutsMs?.[functionName] ?? DEFAULT_FUNCTION_TIMEOUT_MS;
    const event = toApiGatewayEvent(
      {
        method,
        url,
        rawHeaders: req.rawHeaders,
        body,
        sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        protocol: `HTTP/${req.httpVersion}`,
      },
      { routeKey, pathParameters },
    );
    const context = createLambdaContext(functionName, timeoutMs);
    let result: Awaited<ReturnType<LambdaHttpHandler>> | typeof TIMED_OUT;
    try {
      result = await withTimeout(handler(event, context), timeoutMs);
    } catch (error) {
      log.error('function failed', { function: functionName, routeKey, error });
      return writeGatewayError(res, 500, 'Internal Server Error');
    }
    if (result === TIMED_OUT) {
      log.error('function timed out', { function: functionName, routeKey, timeoutMs });
      return writeGatewayError(res, 500, 'Internal Server Error');
    }
    writeLambdaResult(res, result);
  };

  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => {
        if (body === undefined) return writeGatewayError(res, 413, 'Request Entity Too Large');
        return invoke(req, res, body);
      })
      .catch((error: unknown) => {
        log.error('local server failed', { error });
        if (!res.headersSent) writeGatewayError(res, 500, 'Internal Server Error');
        else res.destroy();
      });
  });

  /**
   * Requests Node's HTTP parser refuses (HPE_* errors) are answered as the server answers any other: an
   * unknown method (`FOO`) as a known one the path does not take (405 with Allow, or 404), anything else
   * unreadable 400 VALIDATION_ERROR. Timeouts and resets just close, as Node does.
   */
  server.on('clientError', (error: ClientError, socket: Duplex) => {
    if (!error.code?.startsWith('HPE_') || !socket.writable || answerStarted(socket)) {
      socket.destroy();
      return;
    }
    const head = readRawRequestHead(error.rawPacket);
    const requestId = pickRequestId(head.requestId);
    const resolution =
      error.code === 'HPE_INVALID_METHOD' && head.method !== undefined && head.path !== undefined
        ? resolveRoute(head.method, head.path)
        : undefined;
    const problem =
      resolution?.kind === 'refused'
        ? resolution.problem
        : new ProblemError('VALIDATION_ERROR', `The request could not be read as HTTP (${error.code})`);
    logRefusal(head.method, problem, requestId);
    const result = problemResult(problem);
    socket.end(
      rawHttpResponse(
        problem.status,
        { ...result.headers, [REQUEST_ID_HEADER]: requestId },
        result.body ?? '',
      ),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address}:${address.port}`;
  log.info('local server listening', { url });

  return {
    url,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
};

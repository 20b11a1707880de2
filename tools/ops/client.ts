/**
 * How `npm run ops` calls the operations routes: the local server by default (`http://127.0.0.1:$PORT`), or
 * the deployed API (`--url`), each request signed with the caller's AWS credentials by the AWS SDK's SigV4
 * signer (service `execute-api`), or carrying `--token` for the JWT authorizer.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';

export interface Target {
  /** Base URL without a trailing slash. */
  baseUrl: string;
  auth: { kind: 'none' } | { kind: 'sigv4'; region: string } | { kind: 'token'; token: string };
}

export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when it is not JSON. */
  body: unknown;
}

/** The region of an `https://<id>.execute-api.<region>.amazonaws.com` URL, if it is one. */
export const regionOfUrl = (url: string): string | undefined =>
  /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(new URL(url).hostname)?.[1];

const signed = async (
  url: URL,
  init: { method: string; headers: Record<string, string>; body: string | undefined },
  region: string,
): Promise<Record<string, string>> => {
  const signer = new SignatureV4({
    service: 'execute-api',
    region,
    credentials: defaultProvider(),
    sha256: Sha256,
  });
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  const request = await signer.sign({
    method: init.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port === '' ? undefined : Number(url.port),
    path: url.pathname,
    query,
    headers: { ...init.headers, host: url.host },
    body: init.body,
  });
  // `host` is set by fetch itself from the URL, exactly as signed.
  const { host: _host, ...headers } = request.headers;
  return headers;
};

export const call = async (
  target: Target,
  method: 'GET' | 'POST',
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> => {
  const url = new URL(`${target.baseUrl}${path}`);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  let headers: Record<string, string> = {
    accept: 'application/json',
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...options.headers,
  };
  if (target.auth.kind === 'sigv4')
    headers = await signed(url, { method, headers, body }, target.auth.region);
  if (target.auth.kind === 'token') headers.authorization = `Bearer ${target.auth.token}`;
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, headers: response.headers, body: parsed };
};

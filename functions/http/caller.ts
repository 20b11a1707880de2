import type { APIGatewayProxyEventV2 } from 'aws-lambda';

const stringAt = (value: unknown, ...path: string[]): string | undefined => {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'string' && current !== '' ? current : undefined;
};

/** Who asked: the IAM caller's ARN, else the JWT subject, else `local` (no authorizer: the local server). */
export const callerOf = (event: APIGatewayProxyEventV2): string => {
  const authorizer: unknown = (event.requestContext as { authorizer?: unknown } | undefined)?.authorizer;
  return stringAt(authorizer, 'iam', 'userArn') ?? stringAt(authorizer, 'jwt', 'claims', 'sub') ?? 'local';
};

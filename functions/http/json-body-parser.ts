import * as z from 'zod/mini';
import { requestHeaders } from './headers.ts';
import { validateOptions } from './options.ts';
import { pipelineState } from './pipeline-state.ts';
import { ProblemError } from './problems.ts';
import { strictJsonProblems } from './strict-json.ts';
import type { PipelineRequest } from './types.ts';
import { fieldOf, validationProblem } from './validation.ts';

/** API.md: bodies over 64 KB are refused. */
export const MAX_BODY_BYTES = 64 * 1024;

/** application/json or application/<anything>+json, with any parameters (charset...). */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export const isJsonContentType = (contentType: string): boolean => JSON_MEDIA_TYPE.test(contentType.trim());

const optionsSchema = z.strictObject({ maxBytes: z.int().check(z.positive()) });

/**
 * Our own body parser (middy's answers 415/422 and drops the raw body). In order: no body (absent or
 * empty) is no body, which routes read as `{}`; over `maxBytes` (counted after base64 decoding) -> 413;
 * a Content-Type that is not JSON -> 415 (a missing one is read as JSON: the body is still parsed and
 * validated strictly); text that is not JSON -> 400; JSON with a key twice or a string with control
 * characters or unpaired surrogates (strict-json.ts) -> 400 naming the field. Routes with
 * `acceptAnyContentType` skip the 415 and those checks, and get an undefined `body` instead of a 400. The raw
 * text is always kept.
 */
export const jsonBodyParserMiddleware = (options: { maxBytes: number } = { maxBytes: MAX_BODY_BYTES }) => {
  const { maxBytes } = validateOptions('jsonBodyParserMiddleware', optionsSchema, options);
  return {
    name: 'jsonBodyParser',
    before: (request: PipelineRequest): void => {
      const { event } = request;
      const state = pipelineState(request.context);
      const lenient = state.route?.config.acceptAnyContentType === true;
      if (event.body === undefined || event.body === null || event.body === '') return;

      const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : undefined;
      const size = bytes ? bytes.length : Buffer.byteLength(event.body, 'utf8');
      if (size > maxBytes) {
        throw new ProblemError(
          'PAYLOAD_TOO_LARGE',
          `The body is ${size} bytes; at most ${maxBytes} are accepted`,
        );
      }
      const text = bytes ? bytes.toString('utf8') : event.body;
      if (text === '') return;
      state.rawBody = text;

      const contentType = requestHeaders(request.event, request.context)['content-type'];
      const declaredJson = contentType === undefined || isJsonContentType(contentType);
      if (!declaredJson) {
        if (lenient) return;
        throw new ProblemError(
          'UNSUPPORTED_MEDIA_TYPE',
          `Content-Type must be application/json, not ${contentType.slice(0, 100)}`,
        );
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        if (lenient) return;
        throw new ProblemError('VALIDATION_ERROR', 'The body is not valid JSON', {
          errors: [{ field: 'body', message: 'is not valid JSON' }],
        });
      }
      // Lenient routes take what they are sent, as JSON.parse reads it (the webhook's body is a hint).
      const problems = lenient ? [] : strictJsonProblems(text);
      if (problems.length > 0) {
        throw validationProblem(
          problems.map(({ path, message }) => ({ field: fieldOf(path, 'body'), message })),
        );
      }
      state.body = body;
    },
  };
};

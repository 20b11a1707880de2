import * as z from 'zod/mini';

/** The cancellation takes no fields: no body and `{}` are the same request, anything else is a 400 naming it. */
export const cancellationBodySchema = z.strictObject({});

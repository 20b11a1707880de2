/** GET /openapi.json on the local server (`npm start`): the document, generated once, as JSON. */

import { openApiDocument } from '../tools/openapi/document.ts';
import type { ExtraRoute } from './server.ts';

export const OPENAPI_PATH = '/openapi.json';

let documentText: string | undefined;

export const openApiRoute: ExtraRoute = {
  method: 'GET',
  path: OPENAPI_PATH,
  handle: (_req, res) => {
    documentText ??= JSON.stringify(openApiDocument());
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(documentText);
  },
};

/** The operations Lambda: what a person needs to look at and settle (API.md, "Operations"). */
import { createHttpHandler } from '../http/create-http-handler.ts';
import { loadOpsConfig } from './config.ts';
import { opsDeps } from './deps.ts';
import { opsRoutes } from './routes.ts';

const deps = opsDeps(loadOpsConfig());
export const handler = createHttpHandler(opsRoutes(async () => deps));

/** The event publisher (the table's stream consumer) reads the bus only: no table name, no token. */
import { checkLogLevel, type Env, readEventBusName } from '../config/fields.ts';

export interface EventPublisherConfig {
  eventBusName: string;
}

export const loadEventPublisherConfig = (env: Env = process.env): EventPublisherConfig => {
  checkLogLevel(env);
  return { eventBusName: readEventBusName(env) };
};

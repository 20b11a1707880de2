/** The notification processor's configuration: the processing slice, checked at cold start. */
import { checkLogLevel, type Env } from '../config/fields.ts';
import { type ProcessingConfig, readProcessing } from '../config/processing.ts';

export const loadProcessorConfig = (env: Env = process.env): ProcessingConfig => {
  checkLogLevel(env);
  return readProcessing(env);
};

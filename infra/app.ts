/** The CDK app (`cdk.json`: `node infra/app.ts`). Settings come from context: see infra/README.md. */
import { createApp } from './create-app.ts';

createApp().app.synth();

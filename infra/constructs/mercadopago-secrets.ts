/**
 * The two Mercado Pago secrets. Created with a random placeholder (so nothing works by accident until a
 * human fills them: calls answer 401, signatures never match), or imported by complete ARN from context.
 * Functions receive only their ARNs (MP_ACCESS_TOKEN_SECRET_ARN, MP_WEBHOOK_SECRET_ARN), never values.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface MercadoPagoSecretsProps {
  stage: string;
  existingAccessTokenArn: string | undefined;
  existingWebhookSecretArn: string | undefined;
}

const ROTATION_REASON =
  'Mercado Pago credentials are issued in its developer panel, which has no API to rotate them; rotated by hand (infra/README.md).';

export class MercadoPagoSecrets extends Construct {
  /** The seller's access token, as a plain string. */
  readonly accessToken: secretsmanager.ISecret;
  /** The webhook signing secrets, as JSON `{"current": "...", "previous": "..."}` (previous optional). */
  readonly webhookSecrets: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: MercadoPagoSecretsProps) {
    super(scope, id);

    this.accessToken = props.existingAccessTokenArn
      ? secretsmanager.Secret.fromSecretCompleteArn(this, 'AccessToken', props.existingAccessTokenArn)
      : new secretsmanager.Secret(this, 'AccessToken', {
          description: `mercadopago-refunds ${props.stage}: Mercado Pago access token (replace the placeholder)`,
          generateSecretString: { passwordLength: 48, excludePunctuation: true },
          removalPolicy: RemovalPolicy.RETAIN,
        });

    this.webhookSecrets = props.existingWebhookSecretArn
      ? secretsmanager.Secret.fromSecretCompleteArn(this, 'WebhookSecrets', props.existingWebhookSecretArn)
      : new secretsmanager.Secret(this, 'WebhookSecrets', {
          description: `mercadopago-refunds ${props.stage}: webhook signing secrets {"current","previous"} (replace the placeholder)`,
          generateSecretString: {
            secretStringTemplate: JSON.stringify({}),
            generateStringKey: 'current',
            passwordLength: 48,
            excludePunctuation: true,
          },
          removalPolicy: RemovalPolicy.RETAIN,
        });

    for (const secret of [this.accessToken, this.webhookSecrets]) {
      if (secret instanceof secretsmanager.Secret) {
        Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: ROTATION_REASON });
      }
    }
  }
}

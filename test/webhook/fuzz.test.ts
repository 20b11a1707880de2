/**
 * Fuzzed notifications (fast-check): whatever the query, headers and body, the webhook never answers 5xx,
 * and nothing is stored for a webhook-shaped request without a valid signature (IPN hints may only take
 * their rate-limit slot).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { invoke } from '../support/harness.ts';
import { type Rig, startRig, WEBHOOK_PATH } from './rig.ts';

let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
});

afterAll(async () => {
  await rig?.close();
});

beforeEach(async () => {
  await rig.reset();
});

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.stringMatching(/^\d{1,22}$/),
  fc.constantFrom('payment', 'merchant_order', 'topic_merchant_order_wh', '', ' ', '0', '-1', '1e3', 'é'),
);

const query = fc
  .record({ 'data.id': text, type: text, topic: text, id: text, extra: text }, { requiredKeys: [] })
  .map((fields) => new URLSearchParams(fields as Record<string, string>).toString());

const signatureHeader = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc
    .tuple(fc.stringMatching(/^\d{0,14}$/), fc.stringMatching(/^[0-9a-f]{0,70}$/))
    .map(([ts, v1]) => `ts=${ts},v1=${v1}`),
  fc.constant(`ts=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`),
);

const headers = fc.record(
  {
    'x-signature': signatureHeader,
    'x-request-id': fc.oneof(fc.uuid(), fc.string({ unit: 'binary', maxLength: 300 })),
    'content-type': fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=utf-8',
      '€/€',
    ),
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc
    .record({
      type: text,
      action: text,
      id: fc.oneof(fc.integer(), text),
      user_id: fc.oneof(fc.integer(), text),
      data: fc.oneof(fc.record({ id: fc.oneof(text, fc.integer(), fc.object()) }), fc.anything()),
    })
    .map((b) => JSON.stringify(b)),
);

const webhookShaped = (search: string) => {
  const params = new URLSearchParams(search);
  const dataId = params.get('data.id');
  const type = params.get('type');
  return !!dataId && !!type && type !== 'merchant_order' && type !== 'topic_merchant_order_wh';
};

it('never answers 5xx and never stores anything for an unsigned webhook', async () => {
  await fc.assert(
    fc.asyncProperty(query, headers, body, async (search, requestHeaders, rawBody) => {
      const before = (await rig.items()).length;
      const response = await invoke(rig.webhook, {
        method: 'POST',
        path: `${WEBHOOK_PATH}?${search}`,
        ...(rawBody !== undefined ? { rawBody } : {}),
        headers: requestHeaders as Record<string, string>,
      });
      expect(response.status).toBeLessThan(500);
      expect([200, 400, 401, 413]).toContain(response.status);
      const after = await rig.items();
      if (webhookShaped(search)) {
        expect(response.status).toBe(401);
        expect(after).toHaveLength(before);
      }
      // No ledger is ever written: no payment behind these ids has anything to record.
      expect(after.filter((item) => !item.pk?.S?.startsWith('HINT#'))).toEqual([]);
    }),
    { numRuns: 300 },
  );
});

it('never answers 5xx to validly signed webhooks with any body, and stores only dedupe marks for them', async () => {
  const { signatureHeader: sign } = await import('../../local/sandbox/index.ts');
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(fc.stringMatching(/^\d{1,20}$/), fc.stringMatching(/^[A-Za-z0-9]{1,24}$/)),
      fc.constantFrom('payment', 'chargebacks', 'point_integration_wh', 'x'),
      body,
      async (dataId, type, rawBody) => {
        const requestId = crypto.randomUUID();
        const response = await invoke(rig.webhook, {
          method: 'POST',
          path: `${WEBHOOK_PATH}?data.id=${dataId}&type=${type}`,
          ...(rawBody !== undefined ? { rawBody } : {}),
          headers: {
            'x-request-id': requestId,
            'x-signature': sign(
              rig.h.sandbox.webhookSecret,
              dataId,
              requestId,
              String(Math.floor(Date.now() / 1000)),
            ),
          },
        });
        expect([200, 401]).toContain(response.status);
        const stored = await rig.items();
        expect(stored.filter((item) => !item.pk?.S?.startsWith('NOTIFICATION#'))).toEqual([]);
      },
    ),
    { numRuns: 150 },
  );
});

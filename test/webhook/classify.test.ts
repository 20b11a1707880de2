/** Notification shapes (API.md): by the query string, never by the presence of a signature header. */
import { describe, expect, it } from 'vitest';
import { parseNotificationWork } from '../../functions/operations/notification-work.ts';
import { classifyNotification } from '../../functions/webhook/classify.ts';

describe('classifyNotification', () => {
  it("reads a webhook from query data.id and type, with the body's action, ids and user", () => {
    expect(
      classifyNotification(
        { 'data.id': '123', type: 'payment' },
        { id: 12345, action: 'payment.updated', type: 'payment', user_id: 44, data: { id: 123 } },
      ),
    ).toEqual({
      kind: 'webhook',
      type: 'payment',
      dataId: '123',
      bodyDataId: '123',
      action: 'payment.updated',
      notificationId: '12345',
      userId: '44',
    });
    expect(classifyNotification({ 'data.id': '123', type: 'payment' }, undefined)).toMatchObject({
      kind: 'webhook',
      bodyDataId: undefined,
      action: undefined,
    });
  });

  it('keeps a body data.id that is not an id as one that matches nothing', () => {
    for (const id of [{}, [], true, 1.5, null]) {
      const shape = classifyNotification({ 'data.id': '1', type: 'payment' }, { data: { id } });
      expect(shape.kind === 'webhook' && shape.bodyDataId !== '1' && shape.bodyDataId !== undefined).toBe(
        true,
      );
    }
  });

  it('reads merchant-order webhooks and IPN as hints, whatever headers they carry', () => {
    expect(classifyNotification({ 'data.id': '77', type: 'topic_merchant_order_wh' }, { id: 77 })).toEqual({
      kind: 'hint',
      topic: 'merchant_order',
      resourceId: '77',
    });
    expect(classifyNotification({ topic: 'payment', id: '5' }, undefined)).toEqual({
      kind: 'hint',
      topic: 'payment',
      resourceId: '5',
    });
    expect(classifyNotification({ topic: 'merchant_order', id: '6' }, 'x')).toEqual({
      kind: 'hint',
      topic: 'merchant_order',
      resourceId: '6',
    });
    expect(classifyNotification({ topic: 'chargebacks', id: '6' }, {})).toMatchObject({
      kind: 'hint',
      topic: 'chargebacks',
    });
  });

  it('prefers the webhook shape when both are present (so it must be signed)', () => {
    expect(
      classifyNotification({ 'data.id': '1', type: 'payment', topic: 'payment', id: '1' }, {}),
    ).toMatchObject({
      kind: 'webhook',
    });
  });

  it('refuses a request of neither shape', () => {
    const queries: Record<string, string>[] = [
      {},
      { 'data.id': '1' },
      { type: 'payment' },
      { topic: 'payment' },
      { id: '1' },
      { 'data.id': '', type: 'payment' },
    ];
    for (const query of queries) {
      expect(classifyNotification(query, { type: 'payment', data: { id: '1' } }).kind).toBe('invalid');
    }
  });
});

describe('queued work', () => {
  it('reads only well-formed work', () => {
    const work = { resource: 'payment', id: '1', via: 'hint', receivedAt: '2025-01-01T00:00:00.000Z' };
    expect(parseNotificationWork(JSON.stringify(work))).toEqual(work);
    for (const bad of [
      '',
      'null',
      '{',
      JSON.stringify({ ...work, id: 'x' }),
      JSON.stringify({ ...work, resource: 'refund' }),
    ]) {
      expect(parseNotificationWork(bad)).toBeNull();
    }
  });
});

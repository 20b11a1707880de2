/**
 * The preset dictionary of stored ledger bodies, format 1 (ledger-codec.ts): ledgers of the usual shapes
 * (a failed refund, a pending one, one made elsewhere, a cancellation, a succeeded refund last: the most
 * common is nearest the end, cheapest to refer to) with their values blanked. Deflate finds the document's
 * keys and phrases here, so a one-refund ledger stores in about 400 bytes instead of 2.3 KB of JSON.
 * NEVER edit this text: documents stored with format 1 can only be read with exactly these bytes. A better
 * dictionary is a new format byte and a new constant beside this one.
 */
export const LEDGER_DICTIONARY_V1 =
  '[{"docVersion":2,"kind":"payment","id":"","currency":"BRL","totalMinor":0,"status":"approved","s' +
  'tatusDetail":"accredited","statusUpdatedAt":"20","statusHistory":[{"status":"approved","statusDe' +
  'tail":"accredited","at":"20","by":"arn:aws:sts::"}],"refunds":[{"id":"rf_","origin":"api","amoun' +
  'tMinor":0,"status":"failed","mercadoPagoRefundId":null,"idempotencyKey":"a-","fingerprint":"","r' +
  'equestedBy":"arn:aws:sts::","fullRefund":false,"sendsEmptyBody":false,"reason":"customer request' +
  '","call":{"state":"unknown","attempts":0,"lastAttemptAt":"20","inFlightUntil":"20"},"createdAt":' +
  '"20","updatedAt":"20","failure":{"code":"UPSTREAM_ERROR","detail":"Mercado Pago answered unexpec' +
  'tedly (400); nothing was refunded."},"keyFreed":true,"settledAt":"20","settledBy":"arn:aws:sts::' +
  '"}],"attention":[],"history":[{"at":"20","by":"arn:aws:sts::","change":"status_recorded","detail' +
  '":"approved/accredited"},{"at":"20","by":"arn:aws:sts::","change":"refund_reserved","detail":"rf' +
  '_: 1000 minor units, key a-"},{"at":"20","by":"arn:aws:sts::","change":"refund_failed","detail":' +
  '"rf_: Mercado Pago refused it: UPSTREAM_ERROR","mercadoPagoRequestId":""}],"createdAt":"20","upd' +
  'atedAt":"20"},[{"detailType":"Refund Failed","detail":{"version":1,"eventId":"","occurredAt":"20' +
  '","paymentId":"","refund":{"id":"rf_","paymentId":"","amount":0,"currency":"BRL","status":"faile' +
  'd","origin":"api","mercadoPagoRefundId":null,"idempotencyKey":"a-","reason":"customer request","' +
  'failure":{"code":"UPSTREAM_ERROR","detail":"Mercado Pago answered unexpectedly (400); nothing wa' +
  's refunded."},"createdAt":"20","updatedAt":"20"}}}]][{"docVersion":2,"kind":"payment","id":"","c' +
  'urrency":"BRL","totalMinor":0,"status":"approved","statusDetail":"accredited","statusUpdatedAt":' +
  '"20","statusHistory":[{"status":"approved","statusDetail":"accredited","at":"20","by":"arn:aws:s' +
  'ts::"}],"refunds":[{"id":"rf_","origin":"api","amountMinor":0,"status":"pending","mercadoPagoRef' +
  'undId":null,"idempotencyKey":"b-","fingerprint":"","requestedBy":"arn:aws:sts::","fullRefund":fa' +
  'lse,"sendsEmptyBody":false,"call":{"state":"unknown","attempts":0,"lastAttemptAt":"20","inFlight' +
  'Until":"20"},"createdAt":"20","updatedAt":"20"}],"attention":[],"history":[{"at":"20","by":"arn:' +
  'aws:sts::","change":"status_recorded","detail":"approved/accredited"},{"at":"20","by":"arn:aws:s' +
  'ts::","change":"refund_reserved","detail":"rf_: 1000 minor units, key b-"},{"at":"20","by":"arn:' +
  'aws:sts::","change":"refund_outcome_unknown","detail":"rf_: outcome unknown (unknown_outcome)"}]' +
  ',"createdAt":"20","updatedAt":"20","schedule":{"nextCheckAt":"20","checks":0}},[]][{"docVersion"' +
  ':2,"kind":"payment","id":"","currency":"BRL","totalMinor":0,"status":"approved","statusDetail":"' +
  'partially_refunded","statusUpdatedAt":"20","statusHistory":[{"status":"approved","statusDetail":' +
  '"partially_refunded","at":"20","by":"mercadopago"}],"refunds":[{"id":"rf_","origin":"external","' +
  'amountMinor":0,"status":"succeeded","mercadoPagoRefundId":"","linkedAt":"20","createdAt":"20","u' +
  'pdatedAt":"20","mercadoPagoStatus":"approved","settledAt":"20","settledBy":"mercadopago"}],"atte' +
  'ntion":[],"history":[{"at":"20","by":"mercadopago","change":"status_recorded","detail":"approved' +
  '/partially_refunded"},{"at":"20","by":"mercadopago","change":"refund_recorded_external","detail"' +
  ':"Mercado Pago refund  was made outside this service: rf_","mercadoPagoRequestId":""},{"at":"20"' +
  ',"by":"mercadopago","change":"refund_succeeded","detail":"rf_: Mercado Pago approved","mercadoPa' +
  'goRequestId":""}],"createdAt":"20","updatedAt":"20"},[{"detailType":"Refund Succeeded","detail":' +
  '{"version":1,"eventId":"","occurredAt":"20","paymentId":"","refund":{"id":"rf_","paymentId":"","' +
  'amount":0,"currency":"BRL","status":"succeeded","origin":"external","mercadoPagoRefundId":"","id' +
  'empotencyKey":null,"createdAt":"20","updatedAt":"20"}}}]][{"docVersion":2,"kind":"payment","id":' +
  '"","currency":"BRL","totalMinor":0,"status":"cancelled","statusDetail":"by_collector","statusUpd' +
  'atedAt":"20","statusHistory":[{"status":"pending","statusDetail":"pending_waiting_payment","at":' +
  '"20","by":"arn:aws:sts::"},{"status":"cancelled","statusDetail":"by_collector","at":"20","by":"a' +
  'rn:aws:sts::"}],"refunds":[],"attention":[],"history":[{"at":"20","by":"arn:aws:sts::","change":' +
  '"status_recorded","detail":"pending/pending_waiting_payment"},{"at":"20","by":"arn:aws:sts::","c' +
  'hange":"cancellation_requested","detail":"requested"},{"at":"20","by":"arn:aws:sts::","change":"' +
  'status_changed","detail":"pending -> cancelled/by_collector","mercadoPagoRequestId":""},{"at":"2' +
  '0","by":"arn:aws:sts::","change":"cancellation_cancelled","detail":"Mercado Pago: cancelled/by_c' +
  'ollector"}],"createdAt":"20","updatedAt":"20","cancellation":{"status":"cancelled","idempotencyK' +
  'ey":"c-","sequence":0,"requestedBy":"arn:aws:sts::","call":{"state":"unknown","lastAttemptAt":"2' +
  '0","inFlightUntil":"20","attempts":0},"createdAt":"20","updatedAt":"20"}},[{"detailType":"Paymen' +
  't Cancelled","detail":{"version":1,"eventId":"","occurredAt":"20","paymentId":"","status":"cance' +
  'lled","statusDetail":"by_collector","previousStatus":"pending"}}]][{"docVersion":2,"kind":"payme' +
  'nt","id":"","currency":"BRL","totalMinor":0,"status":"approved","statusDetail":"accredited","sta' +
  'tusUpdatedAt":"20","statusHistory":[{"status":"approved","statusDetail":"accredited","at":"20","' +
  'by":"arn:aws:sts::"}],"refunds":[{"id":"rf_","origin":"api","amountMinor":0,"status":"succeeded"' +
  ',"mercadoPagoRefundId":"","idempotencyKey":"d-","fingerprint":"","requestedBy":"arn:aws:sts::","' +
  'fullRefund":false,"sendsEmptyBody":false,"call":{"state":"unknown","attempts":0,"lastAttemptAt":' +
  '"20","inFlightUntil":"20"},"createdAt":"20","updatedAt":"20","linkedAt":"20","mercadoPagoStatus"' +
  ':"approved","settledAt":"20","settledBy":"arn:aws:sts::"}],"attention":[],"history":[{"at":"20",' +
  '"by":"arn:aws:sts::","change":"status_recorded","detail":"approved/accredited"},{"at":"20","by":' +
  '"arn:aws:sts::","change":"refund_reserved","detail":"rf_: 100 minor units, key d-"},{"at":"20","' +
  'by":"arn:aws:sts::","change":"refund_linked","detail":"rf_ is Mercado Pago refund  (the answer t' +
  'o its own call)","mercadoPagoRequestId":""},{"at":"20","by":"arn:aws:sts::","change":"refund_suc' +
  'ceeded","detail":"rf_: Mercado Pago approved","mercadoPagoRequestId":""}],"createdAt":"20","upda' +
  'tedAt":"20"},[{"detailType":"Refund Succeeded","detail":{"version":1,"eventId":"","occurredAt":"' +
  '20","paymentId":"","refund":{"id":"rf_","paymentId":"","amount":0,"currency":"BRL","status":"suc' +
  'ceeded","origin":"api","mercadoPagoRefundId":"","idempotencyKey":"d-","createdAt":"20","updatedA' +
  't":"20"}}}]]';

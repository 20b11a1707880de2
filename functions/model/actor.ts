/**
 * Who made a change, as the ledger's history records it (`by`): the API caller (its IAM ARN or JWT
 * subject), Mercado Pago (what a read of it brought), the reconciliation job, or a person who settled
 * something by hand. Stored as a plain string so the history stays small and readable.
 */
export type Actor =
  | { kind: 'caller'; id: string }
  | { kind: 'mercadopago' }
  | { kind: 'reconciliation' }
  | { kind: 'person'; id: string };

export const MERCADOPAGO: Actor = { kind: 'mercadopago' };
export const RECONCILIATION: Actor = { kind: 'reconciliation' };

export const caller = (id: string): Actor => ({ kind: 'caller', id });
export const person = (id: string): Actor => ({ kind: 'person', id });

/** The stored form: `mercadopago`, `reconciliation`, `person:<id>`, or the caller's id as it is. */
export const actorName = (actor: Actor): string => {
  switch (actor.kind) {
    case 'caller':
      return actor.id;
    case 'person':
      return `person:${actor.id}`;
    default:
      return actor.kind;
  }
};

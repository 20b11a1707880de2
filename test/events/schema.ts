/** The JSON schemas of docs/events.md, read from the document itself, and a checker for the subset they use. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface JsonSchema {
  title?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean;
  items?: JsonSchema;
  pattern?: string;
  format?: string;
}

export const documentedSchemas = (): Record<string, JsonSchema> => {
  const doc = readFileSync(fileURLToPath(new URL('../../docs/events.md', import.meta.url)), 'utf8');
  const schemas: Record<string, JsonSchema> = {};
  for (const [, block] of doc.matchAll(/```json\n([\s\S]*?)```/g)) {
    const parsed = JSON.parse(block!) as JsonSchema;
    if (parsed.title) schemas[parsed.title] = parsed;
  }
  return schemas;
};

const typeOf = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'array'
      : Number.isInteger(value)
        ? 'integer'
        : typeof value;

/** Problems of `value` against `schema` (empty: valid). */
export const validate = (schema: JsonSchema, value: unknown, path = '$'): string[] => {
  const problems: string[] = [];
  if (schema.const !== undefined && value !== schema.const)
    problems.push(`${path}: must be ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value))
    problems.push(`${path}: must be one of ${JSON.stringify(schema.enum)}`);
  if (schema.type) {
    const allowed = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = typeOf(value);
    if (!allowed.includes(actual) && !(actual === 'integer' && allowed.includes('number'))) {
      problems.push(`${path}: must be ${allowed.join(' or ')}, is ${actual}`);
      return problems;
    }
  }
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern).test(value))
      problems.push(`${path}: must match ${schema.pattern}`);
    if (schema.format === 'date-time' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value)) {
      problems.push(`${path}: must be an ISO-8601 UTC timestamp with milliseconds`);
    }
  }
  if (Array.isArray(value) && schema.items)
    for (const [i, item] of value.entries()) problems.push(...validate(schema.items, item, `${path}[${i}]`));
  if (typeOf(value) === 'object' && (schema.properties || schema.required)) {
    const record = value as Record<string, unknown>;
    for (const name of schema.required ?? [])
      if (!(name in record)) problems.push(`${path}.${name}: is required`);
    for (const [name, item] of Object.entries(record)) {
      const property = schema.properties?.[name];
      if (property) problems.push(...validate(property, item, `${path}.${name}`));
      else if (schema.additionalProperties === false) problems.push(`${path}.${name}: is not documented`);
    }
  }
  return problems;
};

export const SCHEMA_OF_DETAIL_TYPE: Record<string, string> = {
  'Refund Succeeded': 'RefundDetail',
  'Refund Failed': 'RefundDetail',
  'Payment Cancelled': 'PaymentStatusDetail',
  'Payment Status Changed': 'PaymentStatusDetail',
  'Order Cancelled': 'PaymentStatusDetail',
  'QR Order Paid': 'QrOrderDetail',
  'QR Order Expired': 'QrOrderDetail',
  'Chargeback Opened': 'ChargebackDetail',
  'Chargeback Resolved': 'ChargebackDetail',
  'Reconciliation Completed': 'ReconciliationDetail',
  'Reconciliation Discrepancy': 'ReconciliationDetail',
  'Reconciliation Failed': 'ReconciliationDetail',
};

/**
 * The stored body of a ledger item: the document and the events of the write that stored it, as one
 * deflated JSON array `[document, events]` behind a format byte. DynamoDB bills writes per started KB of
 * the whole item and every change rewrites it whole, so size is cost: with its preset dictionary
 * (ledger-dictionary.ts) a one-refund ledger and its event take ~400 bytes instead of ~2.8 KB of JSON, and
 * the item stays within one write unit. Items written before this (a JSON `doc` string and a JSON `outbox`)
 * are still read.
 */
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { LEDGER_DICTIONARY_V1 } from './ledger-dictionary.ts';

/** Format 1: deflate (raw) with LEDGER_DICTIONARY_V1. */
const FORMAT_DEFLATE_V1 = 1;
const DICTIONARY_V1 = Buffer.from(LEDGER_DICTIONARY_V1, 'utf8');
/** Far above any ledger (DynamoDB's item limit is 400 KB): a body that inflates past it is not ours. */
const MAX_INFLATED_BYTES = 4 * 1024 * 1024;

export class LedgerBodyError extends Error {
  constructor(problem: string) {
    super(`Stored ledger body is not readable: ${problem}`);
    this.name = 'LedgerBodyError';
  }
}

export const encodeLedgerBody = (document: unknown, events: readonly unknown[]): Uint8Array => {
  const json = Buffer.from(JSON.stringify([document, events]), 'utf8');
  const packed = deflateRawSync(json, { level: constants.Z_DEFAULT_COMPRESSION, dictionary: DICTIONARY_V1 });
  const body = Buffer.allocUnsafe(packed.length + 1);
  body[0] = FORMAT_DEFLATE_V1;
  packed.copy(body, 1);
  return body;
};

/** A body as the SDK gives it (bytes) or as a stream record carries it (base64 text). */
export const decodeLedgerBody = (body: Uint8Array | string): { document: unknown; events: unknown } => {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'base64') : body;
  if (bytes[0] !== FORMAT_DEFLATE_V1) throw new LedgerBodyError(`unknown format ${bytes[0]}`);
  let json: Buffer;
  try {
    json = inflateRawSync(bytes.subarray(1), {
      dictionary: DICTIONARY_V1,
      maxOutputLength: MAX_INFLATED_BYTES,
    });
  } catch (error) {
    throw new LedgerBodyError(error instanceof Error ? error.message : String(error));
  }
  const parsed: unknown = JSON.parse(json.toString('utf8'));
  if (!Array.isArray(parsed) || parsed.length !== 2) throw new LedgerBodyError('not [document, events]');
  return { document: parsed[0], events: parsed[1] };
};

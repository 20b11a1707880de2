/**
 * The settlement report endpoints (`/v1/account/settlement_report`): configuration, request, list through the
 * transport (retries, deadlines, failures by meaning), and the file's download as a stream: a report of a
 * busy day is far larger than any answer the transport holds in memory.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { type Dispatcher, request } from 'undici';
import * as z from 'zod/mini';
import { type Clock, systemClock } from '../../model/clock.ts';
import { parseJsonKeepingBigIntegers } from '../../model/json.ts';
import { MercadoPagoError, MpFailureKind } from '../../ports/mercadopago-errors.ts';
import type {
  MercadoPagoReports,
  ReportFileInfo,
  SettlementReportConfig,
} from '../../ports/mercadopago-reports.ts';
import {
  createTransport,
  DEFAULT_TIMEOUTS,
  type MpRequest,
  sharedAgent,
  type TransportOptions,
} from './http.ts';

const BASE = '/v1/account/settlement_report';

const configBody = z.looseObject({
  columns: z.optional(z.array(z.looseObject({ key: z.string() }))),
  separator: z.optional(z.nullable(z.string())),
  refund_detailed: z.optional(z.nullable(z.boolean())),
  show_chargeback_cancel: z.optional(z.nullable(z.boolean())),
});

const fileBody = z.looseObject({
  file_name: z.string().check(z.minLength(1)),
  begin_date: z.optional(z.nullable(z.string())),
  end_date: z.optional(z.nullable(z.string())),
  date_created: z.optional(z.nullable(z.string())),
});
/** A bare array (docs) or `{paging, results}` (openapi): NOTES says both. */
const listBody = z.union([z.array(fileBody), z.looseObject({ results: z.array(fileBody) })]);

const unreadable = (what: string, status: number): MercadoPagoError =>
  new MercadoPagoError(`Mercado Pago ${what}: ${status} answer not understood`, {
    kind: MpFailureKind.Unexpected,
    httpStatus: status,
  });

const parse = <T>(schema: z.ZodMiniType<T>, text: string, what: string, status: number): T => {
  let json: unknown;
  try {
    json = parseJsonKeepingBigIntegers(text);
  } catch {
    throw unreadable(what, status);
  }
  const result = schema.safeParse(json);
  if (!result.success) throw unreadable(what, status);
  return result.data;
};

/** `GET .../config` as the client reads it (exported for the fixtures' tests). */
export const readReportConfig = (text: string, status = 200): SettlementReportConfig => {
  const body = parse(configBody, text, 'GET config', status);
  return {
    columns: (body.columns ?? []).map((c) => c.key),
    separator: body.separator ?? null,
    refundDetailed: body.refund_detailed ?? null,
    showChargebackCancel: body.show_chargeback_cancel ?? null,
    raw: body,
  };
};

/** `GET .../list` as the client reads it: a bare array or `{paging, results}`. */
export const readReportList = (text: string, status = 200): ReportFileInfo[] => {
  const body = parse(listBody, text, 'GET list', status);
  const files = Array.isArray(body) ? body : body.results;
  return files.map((file) => ({
    fileName: file.file_name,
    beginDate: file.begin_date ?? null,
    endDate: file.end_date ?? null,
    createdAt: file.date_created ?? null,
  }));
};

export interface ReportsClientOptions extends TransportOptions {
  /** Tries of a download that did not start (connection failed, 429, 5xx). */
  downloadAttempts?: number;
}

export const createMercadoPagoReports = (options: ReportsClientOptions): MercadoPagoReports => {
  const send = createTransport(options);
  const clock: Clock = options.clock ?? systemClock;
  const call = async (req: MpRequest) => send(req);

  return {
    async getConfig(callOptions) {
      const response = await call({
        method: 'GET',
        path: `${BASE}/config`,
        write: false,
        acceptStatuses: [404],
        call: callOptions,
      });
      if (response.status === 404) return null;
      return readReportConfig(response.body, response.status);
    },

    async createConfig(body, callOptions) {
      const response = await call({
        method: 'POST',
        path: `${BASE}/config`,
        body,
        write: true,
        acceptStatuses: [409],
        call: callOptions,
      });
      return response.status === 409 ? 'exists' : 'created';
    },

    async updateConfig(body, callOptions) {
      await call({ method: 'PUT', path: `${BASE}/config`, body, write: true, call: callOptions });
    },

    async requestReport(range, key, callOptions) {
      await call({
        method: 'POST',
        path: BASE,
        body: { begin_date: range.beginDate, end_date: range.endDate },
        idempotencyKey: key,
        write: true,
        call: callOptions,
      });
    },

    async listReports(callOptions): Promise<ReportFileInfo[]> {
      const response = await call({ method: 'GET', path: `${BASE}/list`, write: false, call: callOptions });
      return readReportList(response.body, response.status);
    },

    async openReport(fileName, callOptions) {
      if (!/^[A-Za-z0-9_.-]{1,200}$/.test(fileName) || fileName.startsWith('.'))
        throw new TypeError('a report file name is letters, digits, ., - and _');
      const base = new URL(options.baseUrl);
      const url = `${base.origin}${base.pathname.replace(/\/+$/, '')}${BASE}/${encodeURIComponent(fileName)}`;
      const dispatcher: Dispatcher = options.dispatcher ?? sharedAgent(DEFAULT_TIMEOUTS.connectMs);
      const attempts = options.downloadAttempts ?? 3;
      let last: MercadoPagoError | undefined;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        if (callOptions?.deadline !== undefined && clock.now() >= callOptions.deadline) break;
        try {
          const response = await request(url, {
            method: 'GET',
            dispatcher,
            headers: {
              authorization: `Bearer ${await options.accessToken()}`,
              accept: 'text/csv, */*',
              'user-agent': options.userAgent ?? 'mercadopago-refunds-lambda/0.1.0',
            },
            headersTimeout: DEFAULT_TIMEOUTS.headersMs,
            bodyTimeout: DEFAULT_TIMEOUTS.bodyMs,
            signal: callOptions?.signal,
          });
          if (response.statusCode >= 200 && response.statusCode < 300) return response.body;
          const text = await response.body.text().catch(() => '');
          const retryable = response.statusCode === 429 || response.statusCode >= 500;
          last = new MercadoPagoError(`Mercado Pago GET ${BASE}/{file}: answered ${response.statusCode}`, {
            kind: retryable ? MpFailureKind.Unavailable : MpFailureKind.Refused,
            httpStatus: response.statusCode,
            upstreamMessage: text.slice(0, 200),
            attempts: attempt,
          });
          if (!retryable) throw last;
        } catch (error) {
          if (error instanceof MercadoPagoError && error.kind === MpFailureKind.Refused) throw error;
          last =
            error instanceof MercadoPagoError
              ? error
              : new MercadoPagoError(`Mercado Pago GET ${BASE}/{file}: ${String(error)}`, {
                  kind: MpFailureKind.Unavailable,
                  attempts: attempt,
                  cause: error,
                });
        }
        if (attempt < attempts) await delay(options.sleep ? 0 : 200 * attempt);
      }
      throw (
        last ??
        new MercadoPagoError(`Mercado Pago GET ${BASE}/{file}: the deadline has passed`, {
          kind: MpFailureKind.Unavailable,
          attempts: 0,
        })
      );
    },
  };
};

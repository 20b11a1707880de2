/**
 * `npm run ops -- <command>`: what a person needs to look at and settle (API.md, "Operations"), over the
 * operations routes. Readable tables by default, `--json` for the API's answers.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ListMessageMoveTasksCommand, SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { type Answer, call, regionOfUrl, type Target } from './client.ts';
import { age, table, when, wrap } from './format.ts';

export const USAGE = `npm run ops -- <command> [options]

Commands
  attention                          what waits on a person, oldest first (every page)
  history <paymentId|orderId>        the payment's (order's) story, oldest first
  recheck <paymentId|orderId>        re-read it at Mercado Pago now and settle what can be settled
  resolve <id> <refundId> succeeded --mp-refund <mercadoPagoRefundId> --note "<why>"
  resolve <id> <refundId> failed --note "<why>"
  resolve <id> cancellation cancelled|not_cancelled --note "<why>"
                                     a person's decision, checked against Mercado Pago
  redrive --dlq-arn <arn>            (AWS) move the notification dead-letter queue's messages back

Options
  --url <base URL>   the deployed API (stack output ApiUrl), requests signed with your AWS credentials (SigV4)
  --token <jwt>      with --url, for the JWT authorizer instead (a token with scope refunds/ops)
  --region <region>  for SigV4 and redrive (default: from the URL or the ARN, else AWS_REGION)
  --key <key>        resolve: the Idempotency-Key (default: a new one; the same key repeats the same decision)
  --json             print the API's JSON instead of tables
Without --url: the local server, http://127.0.0.1:$PORT (PORT defaults to 3000).`;

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  now: () => number;
}

class UsageError extends Error {}

interface Problem {
  code?: string;
  detail?: string;
  message?: string;
  title?: string;
  errors?: { field: string; message: string }[];
}

/** One line for a refused request: a problem's code and detail, API Gateway's message, or the status. */
const describeFailure = (answer: Answer): string => {
  const body = (typeof answer.body === 'object' && answer.body !== null ? answer.body : {}) as Problem;
  if (body.code) return `${answer.status} ${body.code}: ${body.detail ?? body.title ?? ''}`.trimEnd();
  if (body.message) return `${answer.status} (API Gateway): ${body.message}`;
  return `${answer.status}: ${typeof answer.body === 'string' ? answer.body.slice(0, 200) : 'no answer body'}`;
};

class Refused extends Error {
  readonly answer: Answer;
  constructor(answer: Answer) {
    super(describeFailure(answer));
    this.answer = answer;
  }
}

const MAX_TRIES = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A request, retried while its key is held by a running request (409 REFUND_IN_PROGRESS) or on a 503. */
const request = async (
  target: Target,
  method: 'GET' | 'POST',
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> => {
  for (let attempt = 1; ; attempt++) {
    const answer = await call(target, method, path, options);
    const code = (answer.body as Problem | undefined)?.code;
    const retriable = code === 'REFUND_IN_PROGRESS' || answer.status === 503;
    if (answer.status < 400) return answer;
    if (!retriable || attempt === MAX_TRIES) throw new Refused(answer);
    const after = Number(answer.headers.get('retry-after') ?? '1');
    await sleep(Math.min(10, Number.isFinite(after) ? after : 1) * 1000);
  }
};

/** `/payments/<id>` or `/orders/<id>`, from the id's shape. */
const subjectPath = (id: string | undefined): string => {
  if (id === undefined) throw new UsageError('name a payment id (digits) or an order id (ORD...)');
  if (/^\d{1,20}$/.test(id)) return `/payments/${id}`;
  if (/^ORD[A-Za-z0-9]{20,40}$/i.test(id)) return `/orders/${id}`;
  throw new UsageError(`"${id}" is neither a payment id (digits) nor an order id (ORD...)`);
};

interface AttentionItem {
  kind: string;
  paymentId?: string;
  orderId?: string;
  queue?: string;
  date?: string;
  refundId?: string;
  since: string;
  detail: string;
  suggestedAction: string;
}

const attention = async (target: Target, io: Io, json: boolean): Promise<void> => {
  const items: AttentionItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await request(
      target,
      'GET',
      `/ops/attention${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    const body = page.body as { items: AttentionItem[]; nextCursor?: string };
    items.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor);
  if (json) return io.out(JSON.stringify({ items }, null, 2));
  if (items.length === 0) return io.out('Nothing waits on a person.');
  const subject = (item: AttentionItem) =>
    item.paymentId
      ? `payment ${item.paymentId}`
      : item.orderId
        ? `order ${item.orderId}`
        : item.date
          ? `report ${item.date}`
          : `queue ${item.queue ?? ''}`;
  io.out(
    table(
      ['#', 'SINCE', 'AGE', 'KIND', 'ABOUT', 'REFUND'],
      items.map((item, index) => [
        String(index + 1),
        when(item.since),
        age(item.since, io.now()),
        item.kind,
        subject(item),
        item.refundId ?? '',
      ]),
    ),
  );
  for (const [index, item] of items.entries()) {
    io.out('');
    io.out(
      `${index + 1}. ${item.kind} — ${subject(item)}${item.refundId ? `, refund ${item.refundId}` : ''}`,
    );
    io.out(wrap(item.detail, '   '));
    io.out(wrap(`What to do: ${item.suggestedAction}`, '   '));
  }
};

interface Change {
  at: string;
  by: string;
  change: string;
  detail: string;
  mercadoPagoRequestId?: string;
}

const history = async (target: Target, io: Io, id: string | undefined, json: boolean): Promise<void> => {
  const path = `${subjectPath(id)}/history`;
  const changes: Change[] = [];
  let cursor: string | undefined;
  let subject: Record<string, string> = {};
  do {
    const page = await request(
      target,
      'GET',
      `${path}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    const { changes: lines, nextCursor, ...rest } = page.body as { changes: Change[]; nextCursor?: string };
    subject = rest as Record<string, string>;
    changes.push(...lines);
    cursor = nextCursor;
  } while (cursor);
  if (json) return io.out(JSON.stringify({ ...subject, changes }, null, 2));
  io.out(
    table(
      ['AT', 'BY', 'CHANGE', 'DETAIL'],
      changes.map((line) => [
        when(line.at),
        line.by,
        line.change,
        `${line.detail}${line.mercadoPagoRequestId ? ` (Mercado Pago request ${line.mercadoPagoRequestId})` : ''}`,
      ]),
    ),
  );
};

interface RefundObject {
  id: string;
  amount: number;
  currency: string;
  status: string;
  origin: string;
  mercadoPagoRefundId: string | null;
  createdAt: string;
  failure?: { code: string; detail: string };
  resolution?: { by: string; note: string; at: string; reattributedFrom?: string };
}

const refundLine = (refund: RefundObject): string => {
  const resolution = refund.resolution
    ? ` — resolved by ${refund.resolution.by} at ${when(refund.resolution.at)}: "${refund.resolution.note}"${
        refund.resolution.reattributedFrom ? ` (was recorded as ${refund.resolution.reattributedFrom})` : ''
      }`
    : '';
  return `Refund ${refund.id}: ${refund.status}, ${refund.amount} ${refund.currency}${
    refund.mercadoPagoRefundId ? `, Mercado Pago refund ${refund.mercadoPagoRefundId}` : ''
  }${resolution}`;
};

const recheck = async (target: Target, io: Io, id: string | undefined, json: boolean): Promise<void> => {
  const answer = await request(target, 'POST', `${subjectPath(id)}/recheck`);
  if (json) return io.out(JSON.stringify(answer.body, null, 2));
  const view = answer.body as {
    paymentId?: string;
    orderId?: string;
    status: string;
    statusDetail: string | null;
    currency: string;
    amount: number;
    refundedAmount: number;
    pendingAmount: number;
    refundableAmount: number;
    refunds: RefundObject[];
  };
  io.out(
    `${view.paymentId ? `Payment ${view.paymentId}` : `Order ${view.orderId}`}: ${view.status}${
      view.statusDetail ? `/${view.statusDetail}` : ''
    }, ${view.amount} ${view.currency}; refunded ${view.refundedAmount}, pending ${view.pendingAmount}, refundable ${view.refundableAmount}`,
  );
  if (view.refunds.length === 0) return io.out('No refunds.');
  io.out(
    table(
      ['REFUND', 'STATUS', 'AMOUNT', 'ORIGIN', 'MERCADO PAGO', 'CREATED'],
      view.refunds.map((refund) => [
        refund.id,
        refund.status,
        String(refund.amount),
        refund.origin,
        refund.mercadoPagoRefundId ?? '-',
        when(refund.createdAt),
      ]),
    ),
  );
};

const resolve = async (
  target: Target,
  io: Io,
  positionals: string[],
  options: { note?: string; mpRefund?: string; key?: string; json: boolean },
): Promise<void> => {
  const [id, what, outcome] = positionals;
  const path = subjectPath(id);
  if (what === undefined || outcome === undefined)
    throw new UsageError(
      'resolve <id> <refundId> succeeded|failed, or resolve <id> cancellation cancelled|not_cancelled',
    );
  if (options.note === undefined)
    throw new UsageError('--note "<why>" is required: it is stored and published');
  const key = options.key ?? `ops-${randomUUID()}`;
  const headers = { 'idempotency-key': key };
  if (what === 'cancellation') {
    if (outcome !== 'cancelled' && outcome !== 'not_cancelled')
      throw new UsageError('a cancellation is resolved cancelled or not_cancelled');
    const answer = await request(target, 'POST', `${path}/cancellation/resolution`, {
      body: { outcome, note: options.note },
      headers,
    });
    if (options.json) return io.out(JSON.stringify(answer.body, null, 2));
    const body = answer.body as { status: string; statusDetail: string | null; resolution: { by: string } };
    return io.out(
      `Cancellation resolved ${outcome} by ${body.resolution.by}; Mercado Pago shows ${body.status}${
        body.statusDetail ? `/${body.statusDetail}` : ''
      }. (Idempotency-Key ${key})`,
    );
  }
  if (outcome !== 'succeeded' && outcome !== 'failed')
    throw new UsageError('a refund is resolved succeeded (with --mp-refund) or failed');
  if (outcome === 'succeeded' && options.mpRefund === undefined)
    throw new UsageError('succeeded needs --mp-refund <the Mercado Pago refund id it is>');
  const answer = await request(target, 'POST', `${path}/refunds/${encodeURIComponent(what)}/resolution`, {
    body: {
      outcome,
      ...(options.mpRefund !== undefined ? { mercadoPagoRefundId: options.mpRefund } : {}),
      note: options.note,
    },
    headers,
  });
  if (options.json) return io.out(JSON.stringify(answer.body, null, 2));
  io.out(`${refundLine(answer.body as RefundObject)}. (Idempotency-Key ${key})`);
};

/** SQS's own redrive: messages of the dead-letter queue back to the queue they came from. */
const redrive = async (
  io: Io,
  options: { dlqArn?: string; region?: string; json: boolean },
): Promise<void> => {
  const arn = options.dlqArn ?? io.env.NOTIFICATION_DLQ_ARN;
  if (arn === undefined)
    throw new UsageError('--dlq-arn <NotificationDeadLetterQueueArn> (a stack output) is required');
  const region = options.region ?? /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):/.exec(arn)?.[1] ?? io.env.AWS_REGION;
  if (region === undefined) throw new UsageError(`"${arn}" is not an SQS queue ARN`);
  const sqs = new SQSClient({ region });
  try {
    const started = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn }));
    const tasks = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arn, MaxResults: 1 }));
    if (options.json) return io.out(JSON.stringify({ started, tasks: tasks.Results ?? [] }, null, 2));
    const [task] = tasks.Results ?? [];
    io.out(`Moving the messages of ${arn} back to their queue (task ${started.TaskHandle ?? '?'}).`);
    if (task)
      io.out(
        `Status: ${task.Status ?? '?'}, ${task.ApproximateNumberOfMessagesMoved ?? 0} of ${
          task.ApproximateNumberOfMessagesToMove ?? '?'
        } moved. Run \`npm run ops -- attention\` later: the dead letters leave the list once moved.`,
      );
  } finally {
    sqs.destroy();
  }
};

const targetOf = (io: Io, options: { url?: string; token?: string; region?: string }): Target => {
  if (options.url === undefined) {
    if (options.token !== undefined) throw new UsageError('--token goes with --url (the deployed API)');
    const port = io.env.PORT ?? '3000';
    return { baseUrl: `http://127.0.0.1:${port}`, auth: { kind: 'none' } };
  }
  let baseUrl: string;
  try {
    baseUrl = new URL(options.url).toString().replace(/\/+$/, '');
  } catch {
    throw new UsageError(`--url "${options.url}" is not a URL`);
  }
  if (options.token !== undefined) return { baseUrl, auth: { kind: 'token', token: options.token } };
  const region = options.region ?? regionOfUrl(baseUrl) ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  if (region === undefined)
    throw new UsageError('--region is needed to sign for this URL (or set AWS_REGION)');
  return { baseUrl, auth: { kind: 'sigv4', region } };
};

/** Runs one command; answers the exit code (0 done, 1 refused or unreachable, 2 usage). */
export const runCli = async (argv: readonly string[], io: Io): Promise<number> => {
  let parsed: ReturnType<typeof parseCommand>;
  try {
    parsed = parseCommand(argv);
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const { command, positionals, values } = parsed;
  try {
    if (command === undefined || command === 'help') {
      io.out(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === 'redrive') {
      await redrive(io, { dlqArn: values['dlq-arn'], region: values.region, json: values.json === true });
      return 0;
    }
    const target = targetOf(io, values);
    const json = values.json === true;
    try {
      switch (command) {
        case 'attention':
          await attention(target, io, json);
          return 0;
        case 'history':
          await history(target, io, positionals[0], json);
          return 0;
        case 'recheck':
          await recheck(target, io, positionals[0], json);
          return 0;
        case 'resolve':
          await resolve(target, io, positionals, {
            note: values.note,
            mpRefund: values['mp-refund'],
            key: values.key,
            json,
          });
          return 0;
        default:
          throw new UsageError(`unknown command "${command}"`);
      }
    } catch (error) {
      if (error instanceof TypeError && target.auth.kind === 'none')
        throw new Error(
          `cannot reach ${target.baseUrl} (${(error.cause as { code?: string } | undefined)?.code ?? error.message}): is \`npm start\` running? Set PORT, or --url for the deployed API.`,
        );
      throw error;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof Refused && values.json === true) io.out(JSON.stringify(error.answer.body, null, 2));
    io.err(error instanceof Error ? error.message : String(error));
    return 1;
  }
};

const parseCommand = (argv: readonly string[]) => {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      region: { type: 'string' },
      json: { type: 'boolean' },
      note: { type: 'string' },
      'mp-refund': { type: 'string' },
      key: { type: 'string' },
      'dlq-arn': { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  return { command, positionals: rest, values };
};

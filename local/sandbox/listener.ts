/**
 * The sandbox's TCP listener, which can stop accepting: `refuse` closes the listening socket and the idle
 * keep-alive connections, so new connections fail with ECONNREFUSED before any request byte is sent (what a
 * client must read as "Mercado Pago certainly did not act"). Requests that still arrive on a connection that
 * was busy when refusing began have their socket destroyed unread (see pipeline.ts). `accept` listens again on
 * the same port.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export class SandboxListener {
  readonly #handler: RequestListener;
  readonly #host: string;
  #port: number;
  #server: Server | undefined;
  readonly #closed = new Set<Server>();
  #starting: Promise<void> | undefined;
  #resumeTimer: NodeJS.Timeout | undefined;
  #shutDown = false;

  constructor(handler: RequestListener, host: string, port: number) {
    this.#handler = handler;
    this.#host = host;
    this.#port = port;
  }

  get port(): number {
    return this.#port;
  }

  get refusing(): boolean {
    return this.#server === undefined;
  }

  async accept(): Promise<void> {
    this.#clearResume();
    if (this.#server || this.#shutDown) return;
    this.#starting ??= this.#listenWithRetry().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  /** Stops accepting connections, for `forMs` (then accepts again) or until `accept()`. */
  async refuse(forMs?: number): Promise<void> {
    await this.#starting;
    this.#clearResume();
    const server = this.#server;
    if (server) {
      this.#server = undefined;
      this.#closed.add(server);
      server.close(() => this.#closed.delete(server));
      server.closeIdleConnections();
    }
    if (forMs !== undefined) {
      this.#resumeTimer = setTimeout(() => void this.accept().catch(() => undefined), forMs);
    }
    // Let clients in this process see the closed keep-alive sockets before their next request.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  }

  async close(): Promise<void> {
    this.#shutDown = true;
    this.#clearResume();
    await this.#starting?.catch(() => undefined);
    const servers = [...this.#closed, ...(this.#server ? [this.#server] : [])];
    this.#server = undefined;
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }

  async #listenWithRetry(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.#server = await this.#listen();
        return;
      } catch (error) {
        // The old socket may linger an instant after a refusal; another process taking the port is not retried forever.
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw error;
        await sleep(25);
      }
    }
  }

  #listen(): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = createServer(this.#handler);
      server.keepAliveTimeout = 5000;
      server.once('error', reject);
      server.listen(this.#port, this.#host, () => {
        server.off('error', reject);
        this.#port = (server.address() as AddressInfo).port;
        resolve(server);
      });
    });
  }

  #clearResume(): void {
    if (this.#resumeTimer) clearTimeout(this.#resumeTimer);
    this.#resumeTimer = undefined;
  }
}

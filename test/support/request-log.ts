// One request log shared by every stand-in, plus fault injection.
// No jest APIs here: the benchmark and the demo script use this module too.
import type { IncomingMessage, ServerResponse } from 'node:http';

export type ServiceName =
  | 'entra-token'
  | 'entra-metadata'
  | 'instance-discovery'
  | 'github-oidc'
  | 'ado-oidc'
  | 'imds'
  | 'app-service'
  | 'acr-exchange'
  | 'acr-token'
  | 'registry';

export interface RequestLogEntry {
  service: ServiceName;
  method: string;
  /** URL path without the query string. */
  path: string;
  /** Epoch milliseconds (fractional) when the request arrived. */
  start: number;
  /** Epoch milliseconds when the response was finished or the socket closed; undefined while in flight. */
  end: number | undefined;
  /** HTTP status sent; 0 if the connection closed before a response. */
  status: number;
  /** True when the answer came from failNext() rather than the stand-in. */
  injected: boolean;
}

export interface Fault {
  status: number;
  /** Adds a `Retry-After: <seconds>` header. */
  retryAfterSeconds?: number;
  /** Response body; objects are sent as JSON. Default: a service-appropriate error body. */
  body?: string | Record<string, unknown>;
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export class RequestLog {
  readonly entries: RequestLogEntry[] = [];
  private readonly faults = new Map<ServiceName, { remaining: number; fault: Fault }[]>();

  /** The next `count` requests to `service` get `fault` instead of a real answer. Queues after earlier failNext calls. */
  failNext(service: ServiceName, count: number, fault: Fault): void {
    if (count <= 0) return;
    const queue = this.faults.get(service) ?? [];
    queue.push({ remaining: count, fault: { ...fault } });
    this.faults.set(service, queue);
  }

  /** Faults still queued for a service (0 when none). */
  pendingFaults(service: ServiceName): number {
    return (this.faults.get(service) ?? []).reduce((n, f) => n + f.remaining, 0);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Forget the entries (faults stay queued). */
  clear(): void {
    this.entries.length = 0;
  }

  /** A copy of every entry so far. */
  all(): RequestLogEntry[] {
    return [...this.entries];
  }

  of(service: ServiceName): RequestLogEntry[] {
    return this.entries.filter((e) => e.service === service);
  }

  count(service: ServiceName): number {
    return this.of(service).length;
  }

  /** Index to pass to since() later. */
  mark(): number {
    return this.entries.length;
  }

  since(mark: number): RequestLogEntry[] {
    return this.entries.slice(mark);
  }

  private takeFault(service: ServiceName): Fault | undefined {
    const queue = this.faults.get(service);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    if (queue.length === 0) this.faults.delete(service);
    return head.fault;
  }

  /**
   * Wrap a stand-in's request handler: every request is logged under the service `classify` names
   * (undefined = not logged), and a queued fault for that service answers instead of the handler.
   */
  listener(
    classify: (req: IncomingMessage, path: string) => ServiceName | undefined,
    handler: Listener,
    defaultFaultBody: (service: ServiceName, status: number) => string | Record<string, unknown> = genericFaultBody
  ): Listener {
    return (req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const service = classify(req, path);
      if (!service) {
        handler(req, res);
        return;
      }
      const entry: RequestLogEntry = {
        service,
        method: req.method ?? 'GET',
        path,
        start: nowMs(),
        end: undefined,
        status: 0,
        injected: false
      };
      this.entries.push(entry);
      const done = (): void => {
        if (entry.end === undefined) {
          entry.end = nowMs();
          entry.status = res.headersSent ? res.statusCode : 0;
        }
      };
      res.once('finish', done);
      res.once('close', done);
      const fault = this.takeFault(service);
      if (!fault) {
        handler(req, res);
        return;
      }
      entry.injected = true;
      req.resume();
      const body = fault.body ?? defaultFaultBody(service, fault.status);
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const headers: Record<string, string | number> = {
        'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(text)
      };
      if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
      res.writeHead(fault.status, headers);
      res.end(text);
    };
  }
}

function genericFaultBody(_service: ServiceName, status: number): Record<string, unknown> {
  return { error: status === 429 ? 'too_many_requests' : 'service_unavailable', error_description: `Injected HTTP ${status}` };
}

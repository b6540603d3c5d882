// What `@actions/http-client` resolves to in this project (tsconfig.json "paths"). @actions/core uses it for
// getIDToken alone: its OIDC client constructs an HttpClient with a bearer handler and calls getJson, nothing
// else (the OIDC tests of the bundled action prove it). The real client brings undici, whose evaluation put
// the job's token request ~100 ms later than the product's own http did (docs/performance.md); this one sends
// it with src/lib/http (retries, deadline, body cap, the step's proxy settings) and loads nothing.
import type { IncomingHttpHeaders } from 'node:http';
import { LoginError } from '../../lib/errors';
import { parseJson, send } from '../../lib/http';
import { githubPlatform } from '../platform';

interface RequestHandler {
  prepareRequest(options: { headers: Record<string, string> }): void;
}

let lastFailure: LoginError | undefined;

/** Why the toolkit's last request failed, when this client failed it (the toolkit rewords what it catches). */
export function takeTransportFailure(): LoginError | undefined {
  const failure = lastFailure;
  lastFailure = undefined;
  return failure;
}

export class HttpClient {
  constructor(
    private readonly userAgent?: string,
    private readonly handlers: RequestHandler[] = []
  ) {}

  async getJson<T>(
    url: string,
    additionalHeaders: Record<string, string> = {}
  ): Promise<{ statusCode: number; result: T | null; headers: IncomingHttpHeaders }> {
    const options = {
      headers: { Accept: 'application/json', ...(this.userAgent ? { 'User-Agent': this.userAgent } : {}), ...additionalHeaders }
    };
    for (const handler of this.handlers) handler.prepareRequest(options);
    let response;
    try {
      response = await send({ method: 'GET', url, headers: options.headers, proxy: githubPlatform.proxy });
    } catch (error) {
      if (error instanceof LoginError) lastFailure = error;
      throw error;
    }
    const result = (parseJson(response.body) as T | undefined) ?? null;
    if (response.status < 200 || response.status > 299) {
      throw Object.assign(new Error(`Failed request: (${response.status})`), { statusCode: response.status, result });
    }
    return { statusCode: response.status, result, headers: response.headers };
  }
}

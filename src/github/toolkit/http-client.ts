// What `@actions/http-client` resolves to in this project (tsconfig.json "paths"). @actions/core loads it at
// start-up for getIDToken alone, and the real client brings undici, whose evaluation cost every step of the
// action more than the rest of the toolkit together. Here it is loaded, as its own chunk, when a request is
// made: @actions/core's OIDC client constructs an HttpClient and calls getJson, nothing else (the OIDC tests
// of the bundled action prove it).
import type { HttpClient as RealHttpClient } from '@actions/http-client/lib/index';

type ClientArguments = ConstructorParameters<typeof RealHttpClient>;

export class HttpClient {
  private readonly clientArguments: ClientArguments;

  constructor(...clientArguments: ClientArguments) {
    this.clientArguments = clientArguments;
  }

  async getJson<T>(...request: Parameters<RealHttpClient['getJson']>): ReturnType<RealHttpClient['getJson']> {
    const real = await import('@actions/http-client/lib/index');
    return new real.HttpClient(...this.clientArguments).getJson<T>(...request);
  }
}

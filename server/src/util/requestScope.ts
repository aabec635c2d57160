/**
 * `$/cancelRequest` for every request handler, and what the request is about for the code it calls.
 *
 * vscode-languageserver hands each handler a cancellation token, and sends whatever the handler
 * returns, even after the client cancelled. `withCancellation(connection)` wraps every handler
 * registered through it: a request cancelled before it starts, or while it waits (for an analysis,
 * for docs prose), is answered at once with RequestCancelled, and the handler's late result is
 * dropped. While a handler runs, `currentRequest()` gives its token and the document position it
 * asks about, so DriverDocuments can stop waiting on a cancelled request, and answer a request from
 * a newer analysis when the text up to its position is unchanged, without every feature passing them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { LSPErrorCodes, ResponseError, type CancellationToken, type Position } from 'vscode-languageserver';

/** The request a handler is answering. */
export interface RequestInfo {
  readonly token: CancellationToken;
  /** The document the request is about (`params.textDocument.uri`), if any. */
  readonly uri?: string;
  /** The last position the request depends on (`params.position`, or the end of `params.range`); none for whole-document requests. */
  readonly position?: Position;
}

const scope = new AsyncLocalStorage<RequestInfo>();

/** The request whose handler is running (through `withCancellation`), if any. */
export function currentRequest(): RequestInfo | undefined {
  return scope.getStore();
}

/** The error a cancelled request is answered with. */
export function requestCancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'The request was cancelled.');
}

function isToken(value: unknown): value is CancellationToken {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as CancellationToken).isCancellationRequested === 'boolean' &&
    typeof (value as CancellationToken).onCancellationRequested === 'function'
  );
}

/** What a request's params say it is about. */
function describeParams(params: unknown): Omit<RequestInfo, 'token'> {
  if (typeof params !== 'object' || params === null) return {};
  const p = params as { textDocument?: { uri?: unknown }; position?: Position; range?: { end?: Position } };
  const uri = typeof p.textDocument?.uri === 'string' ? p.textDocument.uri : undefined;
  const position = isPosition(p.position) ? p.position : isPosition(p.range?.end) ? p.range.end : undefined;
  return { uri, position };
}

function isPosition(value: unknown): value is Position {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Position).line === 'number' &&
    typeof (value as Position).character === 'number'
  );
}

/** A request handler that honours its token; notification handlers (no token) pass through unchanged. */
function cancellable<F extends (...args: unknown[]) => unknown>(handler: F): F {
  return function (this: unknown, ...args: unknown[]) {
    const token = args.find(isToken);
    if (!token) return handler.apply(this, args);
    if (token.isCancellationRequested) return requestCancelled();
    const info: RequestInfo = { token, ...describeParams(args[0]) };
    return scope.run(info, () => {
      const result = handler.apply(this, args);
      if (!(result instanceof Promise)) return result;
      return new Promise((resolve, reject) => {
        const listener = token.onCancellationRequested(() => reject(requestCancelled()));
        result.then(
          (value) => {
            listener.dispose();
            if (token.isCancellationRequested) reject(requestCancelled());
            else resolve(value);
          },
          (error: unknown) => {
            listener.dispose();
            // The handler's own rejection goes on as it was (vscode-jsonrpc reports it).
            reject(token.isCancellationRequested ? requestCancelled() : (error as Error));
          },
        );
      });
    });
  } as F;
}

/**
 * The connection, with every handler registered through an `on…` method (also nested ones such as
 * `languages.inlayHint.on`) wrapped by `cancellable`. Everything else is the connection itself.
 */
export function withCancellation<T extends object>(target: T): T {
  return new Proxy(target, {
    get(object, key, receiver) {
      const value: unknown = Reflect.get(object, key, receiver);
      if (typeof value === 'function') {
        const method = value as (...args: unknown[]) => unknown;
        if (typeof key === 'string' && /^on([A-Z]|$)/.test(key))
          return (...args: unknown[]) =>
            method.apply(
              object,
              args.map((a) => (typeof a === 'function' ? cancellable(a as (...args: unknown[]) => unknown) : a)),
            );
        return method.bind(object);
      }
      // Nested registrations: `languages.inlayHint.on`, `languages.callHierarchy.onPrepare`, …
      if (typeof value === 'object' && value !== null) return withCancellation(value);
      return value;
    },
  });
}

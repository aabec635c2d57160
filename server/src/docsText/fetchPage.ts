/**
 * One bounded download of a reference page. The docs host is configurable, so what comes back is
 * untrusted: only `https:` (or `http:` to this machine, for tests), redirects only within the
 * configured origin, a text content type, a body read as a stream and abandoned past a byte cap, and
 * one timeout over the whole exchange. Anything else is a refusal the caller logs, never a throw.
 */

export interface PageFetchLimits {
  /** Whole exchange, redirects and body included. */
  timeoutMs: number;
  /** Bytes of body accepted; the request is aborted past this. */
  maxBytes: number;
  /** Redirects followed, all within the first URL's origin. */
  maxRedirects: number;
}

export const DEFAULT_PAGE_FETCH_LIMITS: PageFetchLimits = {
  timeoutMs: 8000,
  maxBytes: 1024 * 1024,
  maxRedirects: 3,
};

export type PageFetchOutcome =
  | { kind: 'page'; text: string }
  /** The host answered, without the page (404 and the like): a fact about the page, not the network. */
  | { kind: 'http'; status: number }
  /** A protection said no; `reason` is the log text. */
  | { kind: 'refused'; reason: string };

/** Media types a docs page may have (docs-repository Markdown is served as text/plain by raw hosts). */
const PAGE_CONTENT_TYPES = new Set(['text/markdown', 'text/plain', 'text/html']);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Why a URL may not be fetched, or undefined when it may. */
export function refusedUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `not a URL: ${url}`;
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname)) return undefined;
  return `only https: URLs are fetched (http: only to 127.0.0.1, ::1 or localhost): ${url}`;
}

/**
 * Fetches `url` within `limits`. Network failures and the timeout reject (the caller backs off);
 * everything the protections refuse resolves to `refused`.
 */
export async function fetchPage(url: string, limits: PageFetchLimits): Promise<PageFetchOutcome> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`timed out after ${limits.timeoutMs} ms`)),
    limits.timeoutMs,
  );
  try {
    const origin = new URL(url).origin;
    let current = url;
    for (let hop = 0; ; hop++) {
      const refusal = refusedUrl(current);
      if (refusal) return { kind: 'refused', reason: refusal };
      const response = await fetch(current, { signal: controller.signal, redirect: 'manual' });
      if (response.status >= 300 && response.status < 400) {
        controller.signal.throwIfAborted();
        const location = response.headers.get('location');
        await response.body?.cancel();
        if (!location) return { kind: 'http', status: response.status };
        const next = new URL(location, current);
        // Another host could serve anything under our base URL's name, and it would be cached as ours.
        if (next.origin !== origin) return { kind: 'refused', reason: `redirect to another host (${next.href})` };
        if (hop >= limits.maxRedirects)
          return { kind: 'refused', reason: `more than ${limits.maxRedirects} redirects` };
        current = next.href;
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        return { kind: 'http', status: response.status };
      }
      const contentType = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
      if (!PAGE_CONTENT_TYPES.has(contentType)) {
        controller.abort();
        return { kind: 'refused', reason: `content type "${contentType || 'none'}" is not a text page` };
      }
      const declared = Number(response.headers.get('content-length') ?? NaN);
      if (declared > limits.maxBytes) {
        controller.abort();
        return { kind: 'refused', reason: `page of ${declared} bytes is over the ${limits.maxBytes}-byte cap` };
      }
      return await readCapped(response, limits.maxBytes, controller);
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Reads the body chunk by chunk, aborting the request as soon as it passes `maxBytes`. */
async function readCapped(
  response: Response,
  maxBytes: number,
  controller: AbortController,
): Promise<PageFetchOutcome> {
  if (!response.body) return { kind: 'page', text: '' };
  // The body is typed loosely; a fetch body is bytes.
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      controller.abort();
      return { kind: 'refused', reason: `page is over the ${maxBytes}-byte cap (aborted)` };
    }
    chunks.push(value);
  }
  return { kind: 'page', text: Buffer.concat(chunks).toString('utf8') };
}

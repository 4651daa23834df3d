/** The one way every context talks to the API: fetch with JSON and a token, failures as ApiError, GETs as hooks. */
import { useEffect, useState } from "preact/hooks";
import { useI18n } from "./i18n";

/** One entry of a 422 answer's `detail`: where the bad input was (`loc`) and what is wrong with it. */
export interface FieldProblem {
  loc: (string | number)[];
  msg: string;
  type?: string;
}

/** An API failure; `message` is the server's translated text, empty when there was none. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail: FieldProblem[] = [],
  ) {
    super(message);
  }
}

const isFieldProblem = (value: unknown): value is FieldProblem =>
  typeof value === "object" &&
  value !== null &&
  Array.isArray((value as FieldProblem).loc) &&
  typeof (value as FieldProblem).msg === "string";

/** Any failure as an ApiError (network failures have status 0). */
export const asApiError = (error: unknown): ApiError =>
  error instanceof ApiError ? error : new ApiError(0, "network", "");

interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  headers?: Record<string, string>;
  body?: unknown;
  token?: string | null;
  signal?: AbortSignal;
}

/** A new random Idempotency-Key; keep it while the same thing is being sent, so a retry is filed once. */
export const newKey = (): string => crypto.randomUUID();

const hasIdempotencyKey = (headers: Record<string, string>): boolean =>
  Object.keys(headers).some((name) => name.toLowerCase() === "idempotency-key");

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  Object.assign(headers, options.headers ?? {});
  const init: RequestInit = {
    method: options.method ?? "GET",
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  };
  // A lost answer does not mean nothing was filed. With an Idempotency-Key the server answers a retry with the
  // first result, so one more try is safe; without one it could file twice. HTTP answers are never retried.
  let tries = hasIdempotencyKey(headers) ? 2 : 1;
  let response: Response | undefined;
  while (!response) {
    try {
      response = await fetch(path, init);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      if (--tries === 0) throw new ApiError(0, "network", "");
      await pause(400 + Math.random() * 400);
      if (options.signal?.aborted) throw options.signal.reason;
    }
  }
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const body = (payload ?? {}) as { code?: unknown; message?: unknown; detail?: unknown };
    throw new ApiError(
      response.status,
      typeof body.code === "string" ? body.code : "error",
      typeof body.message === "string" ? body.message : "",
      Array.isArray(body.detail) ? body.detail.filter(isFieldProblem) : [],
    );
  }
  return payload as T;
}

export const withLang = (path: string, lang: string): string =>
  `${path}${path.includes("?") ? "&" : "?"}lang=${encodeURIComponent(lang)}`;

export interface Loadable<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
}

/** GET `path` in the current language; refetches when the path or the language changes. */
export function useApi<T>(path: string | null): Loadable<T> {
  const { lang } = useI18n();
  const [state, setState] = useState<Loadable<T>>({ data: null, error: null, loading: path !== null });
  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setState((previous) => ({ data: previous.data, error: null, loading: true }));
    request<T>(withLang(path, lang), { signal: controller.signal }).then(
      (data) => {
        // An answer for the previous path or language that arrived after the change must not replace the new one.
        if (!controller.signal.aborted) setState({ data, error: null, loading: false });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const apiError = error instanceof ApiError ? error : new ApiError(0, "network", "");
        setState({ data: null, error: apiError, loading: false });
      },
    );
    return () => controller.abort();
  }, [path, lang]);
  return state;
}

import { useEffect, useState } from "preact/hooks";
import { useI18n } from "./i18n";

export type Channel = "online" | "kiosk" | "counter";

export interface ProcedureSummary {
  id: string;
  name: string;
  summary: string;
  category: string;
  department: { id: string; name: string };
  fee_yen: number;
  channels: Channel[];
}

export interface ProcedureDetail extends ProcedureSummary {
  documents: string[];
  where: string;
}

export interface ProcedureList {
  lang: string;
  procedures: ProcedureSummary[];
}

export interface Me {
  sub: string;
  role: "resident" | "staff" | "device";
  department: string | null;
  device_kind: string | null;
}

export interface StaffTask {
  id: string;
  department: string;
  step: string;
  execution: string;
  status: "pending" | "approved" | "returned";
  created_at: string;
}

export interface TaskList {
  tasks: StaffTask[];
}

export interface AppConfig {
  auth: { tokenUrl: string | null; demoUsers: { id: string; label: string; role?: string }[] };
}

/** An API failure; `message` is the server's translated text, empty when there was none. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface RequestOptions {
  method?: "GET" | "POST";
  body?: unknown;
  token?: string | null;
  signal?: AbortSignal;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? "GET",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError(0, "network", "");
  }
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const body = (payload ?? {}) as { code?: unknown; message?: unknown };
    throw new ApiError(
      response.status,
      typeof body.code === "string" ? body.code : "error",
      typeof body.message === "string" ? body.message : "",
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
      (data) => setState({ data, error: null, loading: false }),
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

import { useEffect, useState } from "preact/hooks";
import { ApiError, request, withLang } from "./http";
import { useI18n } from "./i18n";

export type TicketState = "waiting" | "called" | "absent" | "done" | "transferred" | "cancelled";
export type Level = "low" | "medium" | "high";

export interface TicketView {
  id: string;
  number: number;
  counter: string;
  counter_name: string;
  service: string;
  service_name: string;
  state: TicketState;
  ahead: number | null;
  estimated_wait_minutes: number | null;
  desk: string | null;
  called_at: string | null;
  absent_until: string | null;
  transferred_to: string | null;
  arrived_at: string;
  notify_line: boolean;
  notify_webpush: boolean;
  notify_ahead: number | null;
}

export interface StaffTicket {
  id: string;
  number: number;
  counter: string;
  service: string;
  priority: string | null;
  state: TicketState;
  desk: string | null;
  called_at: string | null;
  absent_until: string | null;
  recalls: number;
  /** Called by the signed-in clerk: the ticket their console acts on (also after a reload). */
  called_by_me: boolean;
}

export interface CounterStatus {
  counter: string;
  counter_name: string;
  department: string;
  waiting: number;
  estimated_wait_minutes: number;
  last_issued: number;
  calling: { number: number; desk: string | null; called_at: string | null; recalls: number }[];
  queue: { number: number; service: string; state: TicketState; absent_until: string | null }[];
  served: number;
  updated_at: string | null;
}

export interface CounterInfo {
  id: string;
  department: string;
  name: string;
  desks: number;
  services: { id: string; name: string; minutes: number }[];
}

export interface LiveCounter {
  counter: string;
  name: string;
  waiting: number;
  estimated_wait_minutes: number;
  calling: number[];
  desks: (string | null)[];
  level: Level;
}

export interface CongestionNow {
  updated_at: string | null;
  counters: LiveCounter[];
}

export interface CounterStats {
  counter: string;
  days: { day: string; tickets: number; served: number; no_show: number; mean_wait_minutes: number | null }[];
  services: {
    service: string;
    name: string;
    served: number;
    mean_wait_minutes: number | null;
    mean_service_minutes: number | null;
  }[];
}

/** GET `path` now and every `seconds` (each poll is one small read of a cached object on the server). */
export function usePoll<T>(path: string | null, seconds: number, token?: string | null): {
  data: T | null;
  error: ApiError | null;
  reload: () => void;
} {
  const { lang } = useI18n();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let stopped = false;
    const load = () =>
      request<T>(withLang(path, lang), { token }).then(
        (d) => {
          if (!stopped) {
            setData(d);
            setError(null);
          }
        },
        (e: unknown) => {
          if (!stopped) setError(e instanceof ApiError ? e : new ApiError(0, "network", ""));
        },
      );
    load();
    const timer = setInterval(load, seconds * 1000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [path, lang, seconds, token, tick]);
  return { data, error, reload: () => setTick((n) => n + 1) };
}

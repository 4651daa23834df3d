/** The kiosk's two partners: the card-reader bridge on this PC (127.0.0.1) and the kiosk API (device token). */
import { ApiError, request, withLang } from "./http";

/** Set once when the kiosk is enrolled (docs/kiosk.md); the bridge's default address otherwise. */
export const BRIDGE_STORAGE_KEY = "madoguchi.cardbridge";
export const bridgeUrl = (): string => localStorage.getItem(BRIDGE_STORAGE_KEY) ?? "http://127.0.0.1:8765";

export interface BridgeStatus {
  readers: { name: string; card: boolean }[];
}

export interface BasicFour {
  name: string;
  address: string;
  date_of_birth: string;
  sex: string;
}

export interface CardSignature {
  signature: string;
  certificate: string;
}

/** A bridge failure: its error code (wrong_pin, pin_locked …; "unreachable" when it does not answer). */
export class BridgeError extends Error {
  constructor(
    readonly code: string,
    readonly triesLeft: number | null = null,
  ) {
    super(code);
  }
}

async function bridge<T>(path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(bridgeUrl() + path, {
      method: body === undefined ? "GET" : "POST",
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch {
    throw new BridgeError("unreachable");
  }
  const payload = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const tries = typeof payload.tries_left === "number" ? payload.tries_left : null;
    throw new BridgeError(typeof payload.error === "string" ? payload.error : "card_error", tries);
  }
  return payload as T;
}

export const bridgeStatus = () => bridge<BridgeStatus>("/v1/status");
export const pinTries = () => bridge<{ tries_left: Record<string, number> }>("/v1/card/pins");
export const readBasicFour = (pin: string) => bridge<BasicFour>("/v1/card/basic-four", { pin });
export const signChallenge = (pin: string, challenge: string) =>
  bridge<CardSignature>("/v1/card/sign", { pin, challenge });

/** The certificates a kiosk issues: the procedure catalogue's ids (the fee is the procedure's). */
export const CERTIFICATES = ["juminhyo", "inkan-toroku-shomei", "shotoku-kazei-shomei", "koseki-shomei"] as const;
export type Certificate = (typeof CERTIFICATES)[number];

export interface OrderRequest {
  certificate: Certificate;
  copies: number;
  scope: "self" | "household";
  /** 所得課税証明書 only: the 年度 by its starting year. */
  fiscal_year?: number;
}

export interface OrderView {
  order_id: string;
  state: "awaiting_payment" | "issued" | "declined" | "canceled" | "refunding" | "refunded";
  certificate: Certificate;
  amount: number;
  copies: number;
  scope: "self" | "household";
  fiscal_year: number | null;
  decline_code: string | null;
  issue_number: string | null;
  pdf: string | null;
}

export const kioskApi = (token: string, lang: string) => ({
  /** A retry with the same key answers the same session and challenge while the challenge waits. */
  start: (key: string) =>
    request<{ session_id: string; challenge: string }>(withLang("/kiosk/sessions", lang), {
      method: "POST",
      token,
      headers: { "Idempotency-Key": key },
    }),
  authenticate: (sessionId: string, signed: CardSignature, basicFour: BasicFour) =>
    request<{ state: string }>(withLang(`/kiosk/sessions/${sessionId}/authenticate`, lang), {
      method: "POST",
      token,
      body: { ...signed, basic_four: basicFour },
    }),
  order: (sessionId: string, key: string, body: OrderRequest) =>
    request<OrderView>(withLang(`/kiosk/sessions/${sessionId}/orders`, lang), {
      method: "POST",
      token,
      headers: { "Idempotency-Key": key },
      body,
    }),
  poll: (sessionId: string, orderId: string) =>
    request<OrderView>(withLang(`/kiosk/sessions/${sessionId}/orders/${orderId}`, lang), { token }),
  cancel: (sessionId: string, orderId: string) =>
    request<OrderView>(withLang(`/kiosk/sessions/${sessionId}/orders/${orderId}/cancel`, lang), {
      method: "POST",
      token,
    }),
});

export const asError = (error: unknown): ApiError | BridgeError =>
  error instanceof ApiError || error instanceof BridgeError ? error : new ApiError(0, "network", "");

/** The PDF of an issued order as a blob URL (revoked when the screen is wiped). */
export function pdfUrl(base64: string): string {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return URL.createObjectURL(new Blob([bytes], { type: "application/pdf" }));
}

/** The 年度 (April–March) a day falls in, by its starting year. */
export const fiscalYearOf = (day: Date): number => (day.getMonth() >= 3 ? day.getFullYear() : day.getFullYear() - 1);

/** 令和8年度: the 年度 in the Japanese era calendar, as the certificate writes it. */
export const warekiFiscalYear = (fiscalYear: number): string =>
  new Intl.DateTimeFormat("ja-JP-u-ca-japanese", { era: "long", year: "numeric", timeZone: "Asia/Tokyo" })
    .format(new Date(Date.UTC(fiscalYear, 5, 1)))
    .replace(/^(\D+)1年$/, "$1元年")
    .replace(/年$/, "年度");

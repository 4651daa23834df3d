/**
 * Enrolled devices (kiosks, ticket machines): the device's own session, kept across restarts.
 *
 * A counter manager enrols the machine on /staff/devices/ and gets a one-time code (or a link with it in the
 * fragment). The device page redeems it once (POST /devices/enrol) for its own user in the device pool and keeps
 * the ID token and refresh token in localStorage, renewing through the API (POST /devices/token) before expiry.
 * The API refuses a revoked device from its next request; the page then forgets the session and asks for a code.
 */
import { ApiError, request } from "./http";

export type DeviceKind = "kiosk" | "ticket_machine";

export interface DeviceView {
  id: string;
  kind: DeviceKind;
  label: string;
  location: string;
}

interface DeviceTokens {
  device: DeviceView;
  id_token: string;
  refresh_token: string | null;
  expires_in: number;
}

export interface StoredDevice {
  device: DeviceView;
  idToken: string;
  refreshToken: string;
  /** Epoch milliseconds when the ID token expires. */
  expiresAt: number;
}

const key = (kind: DeviceKind) => `madoguchi.device.${kind}`;

export function loadDevice(kind: DeviceKind): StoredDevice | null {
  try {
    const stored = JSON.parse(localStorage.getItem(key(kind)) ?? "null") as StoredDevice | null;
    return stored?.device?.kind === kind && stored.refreshToken ? stored : null;
  } catch {
    return null;
  }
}

export const forgetDevice = (kind: DeviceKind): void => localStorage.removeItem(key(kind));

function store(kind: DeviceKind, tokens: DeviceTokens, refreshToken: string): StoredDevice {
  const stored: StoredDevice = {
    device: tokens.device,
    idToken: tokens.id_token,
    refreshToken,
    expiresAt: Date.now() + tokens.expires_in * 1000,
  };
  localStorage.setItem(key(kind), JSON.stringify(stored));
  return stored;
}

/** The code from a manager's link (`#enrol=…`), removed from the address bar at once. */
export function takeCodeFromLink(): string | null {
  const match = /(?:^#|&)enrol=([A-Za-z0-9-]{1,40})/.exec(location.hash);
  if (!match) return null;
  history.replaceState(null, "", location.pathname + location.search);
  return match[1];
}

export async function redeem(kind: DeviceKind, code: string): Promise<StoredDevice> {
  const tokens = await request<DeviceTokens>("/devices/enrol", { method: "POST", body: { code, kind } });
  if (!tokens.refresh_token) throw new ApiError(0, "network", "");
  return store(kind, tokens, tokens.refresh_token);
}

export async function renew(kind: DeviceKind, current: StoredDevice): Promise<StoredDevice> {
  const tokens = await request<DeviceTokens>("/devices/token", {
    method: "POST",
    body: { device_id: current.device.id, refresh_token: current.refreshToken },
  });
  return store(kind, tokens, current.refreshToken);
}

/** Whether the API still takes this device on a page of this kind (401 revoked or unknown, 403 other kind). */
export const whoAmI = (kind: DeviceKind, token: string): Promise<DeviceView> =>
  request<DeviceView>(`/devices/me?kind=${kind}`, { token });

/** A refusal that means the device must be enrolled again (not a network failure or a server fault). */
export const isEnrolmentRefusal = (error: unknown): boolean =>
  error instanceof ApiError && (error.status === 401 || error.status === 403);

const REFUSED_EVENT = "madoguchi:device-refused";

/** Pages call this when an API call of theirs was refused as a device: the sign-in panel checks again. */
export const reportDeviceRefused = (): void => {
  window.dispatchEvent(new Event(REFUSED_EVENT));
};

export const onDeviceRefused = (listener: () => void): (() => void) => {
  window.addEventListener(REFUSED_EVENT, listener);
  return () => window.removeEventListener(REFUSED_EVENT, listener);
};

import { useEffect, useRef, useState } from "preact/hooks";
import {
  type DeviceKind,
  type DeviceView,
  forgetDevice,
  isEnrolmentRefusal,
  loadDevice,
  onDeviceRefused,
  redeem,
  renew,
  type StoredDevice,
  takeCodeFromLink,
  whoAmI,
} from "../lib/device";
import { type ApiError, asApiError } from "../lib/http";
import { useI18n } from "../lib/i18n";
import { Alert, Loading } from "./feedback";
import "../styles/devices.css";

export interface DeviceSession {
  device: DeviceView;
  token: string;
}

const RENEW_BEFORE_MS = 60_000; // renew a minute before the ID token expires
const CHECK_EVERY_MS = 60_000; // a revoked device notices within a minute even when nobody uses it

type State = "checking" | "enrolled" | "not-enrolled";

/**
 * The device's own sign-in (no person signs a kiosk in, and the public cannot sign it out): redeems a manager's
 * one-time code on first start, keeps the device signed in across restarts, renews its token unattended, and
 * asks for a new code once the API says the device is not (or no longer) enrolled.
 */
export function DeviceSignIn({ kind, onSession }: { kind: DeviceKind; onSession: (s: DeviceSession | null) => void }) {
  const { t } = useI18n();
  const [state, setState] = useState<State>("checking");
  const [stored, setStored] = useState<StoredDevice | null>(null);
  const [code, setCode] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const current = useRef<StoredDevice | null>(null);

  const adopt = (next: StoredDevice | null, refused?: unknown) => {
    current.current = next;
    setStored(next);
    if (next) {
      setState("enrolled");
      onSession({ device: next.device, token: next.idToken });
      return;
    }
    forgetDevice(kind);
    setState("not-enrolled");
    onSession(null);
    if (refused) setError(asApiError(refused));
  };

  /** The stored session, renewed if it is about to expire, confirmed with the API. */
  const check = async () => {
    let session = current.current ?? loadDevice(kind);
    if (!session) return adopt(null);
    try {
      if (session.expiresAt - Date.now() < RENEW_BEFORE_MS) session = await renew(kind, session);
      await whoAmI(kind, session.idToken);
      adopt(session);
    } catch (e) {
      if (isEnrolmentRefusal(e)) adopt(null, e);
      else setError(asApiError(e)); // offline for a moment: keep the session and try again later
    }
  };

  const enrol = async (value: string) => {
    setBusy(true);
    setError(null);
    try {
      adopt(await redeem(kind, value.trim()));
      setCode("");
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    const fromLink = takeCodeFromLink();
    if (fromLink) void enrol(fromLink);
    else void check();
    const timer = window.setInterval(() => void check(), CHECK_EVERY_MS);
    const stop = onDeviceRefused(() => void check());
    return () => {
      window.clearInterval(timer);
      stop();
    };
  }, [kind]);

  if (state === "checking") return <Loading />;
  if (state === "enrolled" && stored) {
    return (
      <p class="device-status print-hide" role="status">
        {t("device.enrolled", { label: stored.device.label, location: stored.device.location })}
      </p>
    );
  }
  return (
    <section class="panel" aria-labelledby="device-enrol-heading">
      <h2 id="device-enrol-heading">{t("device.enrol.heading")}</h2>
      <p>{t("device.enrol.notEnrolled")}</p>
      <Alert error={error} />
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void enrol(code);
        }}
      >
        <div class="field">
          <label for="device-code">{t("device.enrol.code")}</label>
          <p id="device-code-hint" class="field-hint">
            {t("device.enrol.hint")}
          </p>
          <input
            id="device-code"
            name="code"
            value={code}
            required
            maxLength={40}
            autoComplete="off"
            autoCapitalize="characters"
            spellcheck={false}
            aria-describedby="device-code-hint"
            onInput={(event) => setCode((event.target as HTMLInputElement).value)}
          />
        </div>
        <button type="submit" class="button" disabled={busy}>
          {t("device.enrol.submit")}
        </button>
      </form>
    </section>
  );
}

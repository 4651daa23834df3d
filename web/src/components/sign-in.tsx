import { useEffect, useState } from "preact/hooks";
import type { AppConfig, Me } from "../lib/auth";
import { ApiError, request } from "../lib/http";
import { useI18n } from "../lib/i18n";
import { Alert, Loading } from "./feedback";

const TOKEN_KEY = "madoguchi.token";

/** The signed-in token, kept for the browser tab (shared by the staff console and the resident pages). */
export const tokenStore = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export interface Session {
  me: Me;
  token: string;
}

interface SignInProps {
  onSession: (session: Session | null) => void;
  /**
   * Demo users offered: only residents on a resident page; everyone (staff preselected) in the staff console.
   */
  audience?: "staff" | "resident";
  /** Called after the user signed in or out with the panel's buttons (not when a kept sign-in is restored). */
  onSignedInOrOut?: (signedIn: boolean) => void;
}

/**
 * Sign-in panel: the token endpoint and demo users come from /config.json (the local stack's
 * POST /_local/token); without a token endpoint it says sign-in is not configured.
 */
export function SignIn({ onSession, audience = "staff", onSignedInOrOut }: SignInProps) {
  const { t } = useI18n();
  const [config, setConfig] = useState<AppConfig | null>(null);
  const [me, setMe] = useState<Me | null>(null);
  const [user, setUser] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const offered = (c: AppConfig) =>
    audience === "resident" ? c.auth.demoUsers.filter((d) => d.role === "resident") : c.auth.demoUsers;

  /** Who the token is for; false (signed out) when it is refused. */
  const loadMe = async (token: string): Promise<boolean> => {
    try {
      const who = await request<Me>("/me", { token });
      setMe(who);
      onSession({ me: who, token });
      return true;
    } catch (e) {
      tokenStore.clear();
      setMe(null);
      onSession(null);
      if (!(e instanceof ApiError && e.status === 401)) throw e;
      return false;
    }
  };

  useEffect(() => {
    request<AppConfig>("/config.json")
      .then((c) => {
        setConfig(c);
        const users = offered(c);
        const preferred = audience === "staff" ? users.find((d) => d.role === "staff") : undefined;
        setUser((u) => u || (preferred ?? users[0])?.id || "");
      })
      .catch((e: ApiError) => setError(e));
    const token = tokenStore.get();
    if (token) loadMe(token).catch((e: ApiError) => setError(e));
  }, []);

  const signIn = async (event: Event) => {
    event.preventDefault();
    const tokenUrl = config?.auth.tokenUrl;
    if (!tokenUrl || !user) return;
    setBusy(true);
    setError(null);
    try {
      const { token } = await request<{ token: string }>(tokenUrl, { method: "POST", body: { user } });
      tokenStore.set(token);
      if (await loadMe(token)) onSignedInOrOut?.(true);
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, "network", ""));
    } finally {
      setBusy(false);
    }
  };

  const signOut = () => {
    tokenStore.clear();
    setMe(null);
    onSession(null);
    onSignedInOrOut?.(false);
  };

  return (
    <section class="panel print-hide" aria-labelledby="signin-heading">
      <h2 id="signin-heading">{t("staff.signIn.heading")}</h2>
      <Alert error={error} />
      <div role="status" class="identity">
        {me ? (
          <>
            <p class="identity__who">{t("staff.signedInAs", { sub: me.sub })}</p>
            <dl class="facts">
              <div>
                <dt>{t("staff.role")}</dt>
                <dd>{me.role}</dd>
              </div>
              {me.department && (
                <div>
                  <dt>{t("staff.department")}</dt>
                  <dd>{me.department}</dd>
                </div>
              )}
              {me.device_kind && (
                <div>
                  <dt>{t("staff.deviceKind")}</dt>
                  <dd>{me.device_kind}</dd>
                </div>
              )}
            </dl>
          </>
        ) : (
          config?.auth.tokenUrl && <p>{t("staff.signedOut")}</p>
        )}
      </div>
      {!config && !error && <Loading />}
      {config && me && (
        <button type="button" class="button button--secondary" onClick={signOut}>
          {t("staff.signOut")}
        </button>
      )}
      {config && !me && !config.auth.tokenUrl && <p class="notice">{t("staff.notConfigured")}</p>}
      {config && !me && !!config.auth.tokenUrl && (
        <form class="form" onSubmit={signIn}>
          <div class="field">
            <label for="signin-user">{t("staff.signIn.user")}</label>
            <select id="signin-user" value={user} onChange={(e) => setUser(e.currentTarget.value)}>
              {offered(config).map((u) => (
                <option key={u.id} value={u.id}>
                  {u.label}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" class="button" disabled={busy}>
            {t("staff.signIn.button")}
          </button>
        </form>
      )}
    </section>
  );
}

import type { User } from "oidc-client-ts";
import { useEffect, useRef, useState } from "preact/hooks";
import {
  type Audience,
  type AuthorityConfig,
  currentUser,
  displayName,
  loadConfig,
  type Me,
  signIn,
  signOut,
  takeFreshSignIn,
  userManager,
} from "../lib/auth";
import { ApiError, asApiError, request } from "../lib/http";
import type { MessageKey } from "../lib/i18n";
import { useI18n } from "../lib/i18n";
import { Alert, Loading } from "./feedback";

export interface Session {
  me: Me;
  token: string;
}

interface SignInProps {
  onSession: (session: Session | null) => void;
  /** Which user pool the page signs in to: residents, staff (default) or enrolled devices. */
  audience?: Audience;
  /** Called once the user comes back signed in from the sign-in page (to move focus), or signs out. */
  onSignedInOrOut?: (signedIn: boolean) => void;
  /** "header": once signed in, only the header shows who is signed in and a sign-out button (the staff
   * workspace signs in once, not on every page); the panel appears only while signed out. */
  variant?: "panel" | "header";
}

export const SIGN_IN_BUTTON = "signin-button";

/**
 * Sign-in panel shared by every page that needs a signed-in user: sign in (redirect to the pool's sign-in page,
 * code + PKCE), the user's name and role (the page header shows them too: components/app.tsx), sign out. Tokens
 * renew silently; each renewal hands the page the new token through onSession.
 */
export function SignIn({ onSession, audience = "staff", onSignedInOrOut, variant = "panel" }: SignInProps) {
  const { t, lang } = useI18n();
  const [settings, setSettings] = useState<AuthorityConfig | null | undefined>(undefined);
  const [me, setMe] = useState<Me | null>(null);
  const [name, setName] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const announced = useRef(false);

  /** Who the ID token is for (GET /me); signed out when the API refuses it. */
  const adopt = async (authority: AuthorityConfig, user: User | null) => {
    if (!user?.id_token) {
      setMe(null);
      onSession(null);
      return;
    }
    try {
      const who = await request<Me>("/me", { token: user.id_token });
      setMe(who);
      setName(displayName(user));
      onSession({ me: who, token: user.id_token });
      if (!announced.current && takeFreshSignIn()) onSignedInOrOut?.(true);
      announced.current = true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        await userManager(authority).removeUser();
        setMe(null);
        onSession(null);
        return;
      }
      setError(asApiError(e));
      onSession(null);
    }
  };

  useEffect(() => {
    let cleanup = () => {};
    loadConfig()
      .then(async (config) => {
        const authority = config.auth[audience] ?? null;
        setSettings(authority);
        if (!authority) {
          onSession(null);
          return;
        }
        const events = userManager(authority).events;
        const renewed = (user: User) => void adopt(authority, user);
        const gone = () => {
          setMe(null);
          onSession(null);
        };
        events.addUserLoaded(renewed);
        events.addUserUnloaded(gone);
        cleanup = () => {
          events.removeUserLoaded(renewed);
          events.removeUserUnloaded(gone);
        };
        await adopt(authority, await currentUser(authority));
      })
      .catch((e: unknown) => {
        setError(asApiError(e));
        setSettings(null);
        onSession(null);
      });
    return () => cleanup();
  }, [audience]);

  const begin = async () => {
    if (!settings) return;
    setBusy(true);
    setError(null);
    try {
      await signIn(settings, lang);
    } catch (e) {
      setError(asApiError(e));
      setBusy(false);
    }
  };

  const end = async () => {
    if (!settings) return;
    setMe(null);
    onSession(null);
    onSignedInOrOut?.(false);
    await signOut(settings);
  };

  const roleLabel = me ? t(`role.${me.role}` as MessageKey) : "";

  if (variant === "header" && me) {
    return (
      <p class="staff-session print-hide">
        <button type="button" id="signout-button" class="button button--small button--secondary" onClick={end}>
          {t("staff.signOut")}
        </button>
      </p>
    );
  }

  return (
    <section class="panel print-hide" aria-labelledby="signin-heading">
      <h2 id="signin-heading">{t("staff.signIn.heading")}</h2>
      <Alert error={error} />
      <div role="status" class="identity">
        {me ? (
          <>
            <p class="identity__who">{t("staff.signedInAs", { sub: name || me.sub })}</p>
            <dl class="facts">
              <div>
                <dt>{t("staff.role")}</dt>
                <dd>{roleLabel}</dd>
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
          settings && <p>{t("staff.signedOut")}</p>
        )}
      </div>
      {settings === undefined && !error && <Loading />}
      {settings && me && (
        <button type="button" id="signout-button" class="button button--secondary" onClick={end}>
          {t("staff.signOut")}
        </button>
      )}
      {settings === null && !error && <p class="notice">{t("staff.notConfigured")}</p>}
      {settings && !me && (
        <button type="button" id={SIGN_IN_BUTTON} class="button" disabled={busy} onClick={begin}>
          {t("staff.signIn.button")}
        </button>
      )}
    </section>
  );
}

/**
 * Sign-in for every page: OpenID Connect, authorization code + PKCE, with oidc-client-ts.
 *
 * config.json names, per audience (resident, staff, device), the authority (a Cognito user pool's issuer in the
 * cloud, the local provider's locally), the app client id and the sign-out endpoint. Pages sign in by redirect;
 * /signin/ completes it and returns to the page the user was on; tokens renew silently with the refresh token
 * before they expire; the API is called with the ID token, which carries the role claims.
 */
import { ErrorResponse, type User, UserManager, WebStorageStateStore } from "oidc-client-ts";
import { request } from "./http";
import type { Lang } from "./i18n";

/** Who is signed in (GET /me). */
export interface Me {
  sub: string;
  role: "resident" | "staff" | "device";
  department: string | null;
  device_kind: string | null;
  device_id?: string | null;
}

export type Audience = "resident" | "staff" | "device";

export interface AuthorityConfig {
  authority: string;
  clientId: string;
  /** Cognito's /logout on the pool's domain (takes client_id and logout_uri). */
  signOutUrl?: string;
}

export interface AppConfig {
  auth: Partial<Record<Audience, AuthorityConfig>>;
  siteUrl?: string;
  apiBase?: string;
}

export const CALLBACK_PATH = "/signin/";
const FRESH_KEY = "madoguchi.signin.fresh";

/** True once after coming back signed in (the page moves focus to its content). */
export const takeFreshSignIn = (): boolean => {
  const fresh = sessionStorage.getItem(FRESH_KEY) !== null;
  sessionStorage.removeItem(FRESH_KEY);
  return fresh;
};

let configPromise: Promise<AppConfig> | null = null;

/** config.json, loaded once per page. */
export const loadConfig = (): Promise<AppConfig> => {
  configPromise ??= request<AppConfig>("/config.json");
  return configPromise;
};

const managers = new Map<string, UserManager>();

/** The one UserManager of an audience (its tokens are kept in sessionStorage, per browser tab). */
export function userManager(settings: AuthorityConfig): UserManager {
  const key = `${settings.authority}|${settings.clientId}`;
  let manager = managers.get(key);
  if (!manager) {
    manager = new UserManager({
      authority: settings.authority,
      client_id: settings.clientId,
      redirect_uri: `${location.origin}${CALLBACK_PATH}`,
      post_logout_redirect_uri: `${location.origin}/`,
      response_type: "code",
      scope: "openid email profile",
      // Renew with the refresh token a minute before the tokens expire (no hidden iframe: Cognito has none).
      automaticSilentRenew: true,
      accessTokenExpiringNotificationTimeInSeconds: 60,
      userStore: new WebStorageStateStore({ store: sessionStorage }),
      stateStore: new WebStorageStateStore({ store: sessionStorage }),
    });
    managers.set(key, manager);
  }
  return manager;
}

/** Managed login's `lang` codes (Cognito) for our languages; the local provider reads `ui_locales`. */
const COGNITO_LANG: Record<Lang, string> = {
  ja: "ja",
  "ja-easy": "ja",
  en: "en",
  pt: "pt-BR",
  vi: "en",
  zh: "zh-CN",
};

/** Leaves for the sign-in page; comes back to this page (via /signin/) once signed in. */
export async function signIn(settings: AuthorityConfig, lang: Lang): Promise<void> {
  const returnTo = location.pathname + location.search + location.hash;
  await userManager(settings).signinRedirect({
    state: { returnTo },
    ui_locales: lang,
    extraQueryParams: { lang: COGNITO_LANG[lang] },
  });
}

/** Forgets the tokens here and ends the provider's session, coming back to the site's top page. */
export async function signOut(settings: AuthorityConfig): Promise<void> {
  await userManager(settings).removeUser();
  if (!settings.signOutUrl) return;
  const query = new URLSearchParams({ client_id: settings.clientId, logout_uri: `${location.origin}/` });
  location.assign(`${settings.signOutUrl}?${query}`);
}

/** The signed-in user of an audience, if their tokens are still valid (or could be renewed). */
export async function currentUser(settings: AuthorityConfig): Promise<User | null> {
  const manager = userManager(settings);
  const user = await manager.getUser();
  if (!user) return null;
  if (!user.expired) return user;
  if (!user.refresh_token) return null;
  try {
    return await manager.signinSilent();
  } catch {
    await manager.removeUser();
    return null;
  }
}

/** The name to show: the ID token's `name`, else e-mail, else the user name. */
export const displayName = (user: User): string => {
  const profile = user.profile as Record<string, unknown>;
  for (const claim of ["name", "email", "cognito:username", "sub"]) {
    if (typeof profile[claim] === "string" && profile[claim]) return profile[claim] as string;
  }
  return "";
};

/** Whether this tab holds tokens of any audience (pages show "restoring" instead of a sign-in button). */
export const hasStoredSession = (): boolean =>
  Object.keys(sessionStorage).some((key) => key.startsWith("oidc.user:"));

/** Only a path on this site may be returned to after sign-in. */
export const safeReturn = (value: unknown): string =>
  typeof value === "string" && value.startsWith("/") && !value.startsWith("//") ? value : "/";

/** Finishes a sign-in on /signin/: the audience is the one the stored request was made for. */
export async function completeSignIn(config: AppConfig): Promise<string> {
  const params = new URLSearchParams(location.search);
  const state = params.get("state");
  const stored = state ? sessionStorage.getItem(`oidc.${state}`) : null;
  const request = stored ? (JSON.parse(stored) as { authority?: string; client_id?: string }) : null;
  const settings = Object.values(config.auth).find(
    (s) => s && request && s.authority === request.authority && s.clientId === request.client_id,
  );
  if (!settings) throw new Error("unknown sign-in request");
  try {
    const user = await userManager(settings).signinRedirectCallback();
    sessionStorage.setItem(FRESH_KEY, "1");
    return safeReturn((user.state as { returnTo?: unknown } | undefined)?.returnTo);
  } catch (error) {
    // Cancelled on the provider's page (access_denied): back to where the user was, still signed out.
    if (error instanceof ErrorResponse && error.error === "access_denied") {
      return safeReturn((error.state as { returnTo?: unknown } | undefined)?.returnTo);
    }
    throw error;
  }
}

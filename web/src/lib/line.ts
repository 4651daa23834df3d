/** LINE Login linking of the signed-in resident's LINE account (the server keeps state, nonce and PKCE). */
import { request, withLang } from "./http";

export interface LineLinkStatus {
  linked: boolean;
  linked_at: string | null;
}

export const lineStatus = (token: string, lang: string) =>
  request<LineLinkStatus>(withLang("/me/line", lang), { token });

/** The page's language while the browser is at LINE (sessionStorage, this tab only). */
export const LANG_KEY = "madoguchi.line.lang";

/** Starts an authorisation and sends the browser to LINE Login. */
export async function startLineLink(token: string, lang: string): Promise<void> {
  const started = await request<{ authorize_url: string }>(withLang("/me/line/link", lang), { method: "POST", token });
  sessionStorage.setItem(LANG_KEY, lang);
  location.assign(started.authorize_url);
}

/** LINE came back to this page with `code` and `state`: the server exchanges the code and verifies the ID token. */
export const finishLineLink = (token: string, lang: string, code: string, state: string) =>
  request<LineLinkStatus>(withLang("/me/line/callback", lang), { method: "POST", token, body: { code, state } });

export const unlinkLine = (token: string, lang: string) =>
  request<LineLinkStatus>(withLang("/me/line", lang), { method: "DELETE", token });

/** Where /line-link/ sends the resident back once linked (sessionStorage: LINE's redirect URI carries no query). */
export const RETURN_KEY = "madoguchi.line.return";

/** The LINE page, coming back to `returnTo` (a path on this site) once the account is linked. */
export const lineLinkHref = (lang: string, returnTo: string): string =>
  `/line-link/?${new URLSearchParams({ lang, return: returnTo })}`;

/** Opts a ticket in to LINE notices at the LINE account the signed-in resident linked (the server looks it up). */
export const optInLine = <T>(token: string, lang: string, ticketId: string, ahead: number) =>
  request<T>(withLang(`/tickets/${encodeURIComponent(ticketId)}/notifications/line`, lang), {
    method: "POST",
    token,
    body: { ahead, lang },
  });

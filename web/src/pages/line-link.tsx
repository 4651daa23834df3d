import { useEffect, useRef, useState } from "preact/hooks";
import { Page, mount } from "../components/app";
import { Alert, Loading } from "../components/feedback";
import { type Session, SignIn } from "../components/sign-in";
import { formatTokyoDate } from "../lib/format";
import { type ApiError, asApiError } from "../lib/http";
import { useI18n } from "../lib/i18n";
import { safeReturn } from "../lib/auth";
import {
  finishLineLink,
  LANG_KEY,
  type LineLinkStatus,
  lineStatus,
  RETURN_KEY,
  startLineLink,
  unlinkLine,
} from "../lib/line";
import { queryParam } from "../lib/url";
import "../styles/base.css";

/** What LINE Login handed back to this page (the registered callback), read once and removed from the address. */
const returned = {
  code: queryParam("code"),
  state: queryParam("state"),
  error: queryParam("error"),
};
if (returned.code || returned.error) {
  const address = new URL(location.href);
  for (const name of ["code", "state", "error", "error_description", "friendship_status_changed"]) {
    address.searchParams.delete(name);
  }
  // The redirect URI is registered exactly (no ?lang): come back in the language the resident left in.
  const left = sessionStorage.getItem(LANG_KEY);
  if (left && !address.searchParams.has("lang")) address.searchParams.set("lang", left);
  history.replaceState(null, "", address);
}

/** A page that sent the resident here to link (the ticket page's LINE opt-in) is where they go back to. */
const asked = queryParam("return");
if (asked && safeReturn(asked) === asked) sessionStorage.setItem(RETURN_KEY, asked);
const returnTo = sessionStorage.getItem(RETURN_KEY);

function LineLink({ session }: { session: Session }) {
  const { t, lang } = useI18n();
  const [status, setStatus] = useState<LineLinkStatus | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState(returned.error ? t("line.cancelled") : "");
  const [busy, setBusy] = useState(false);
  const finishing = useRef(false);

  useEffect(() => {
    let stop = false;
    const load = async () => {
      try {
        if (returned.code && returned.state && !finishing.current) {
          finishing.current = true; // a token renewal re-renders: the code is handed in once
          const { code, state } = returned;
          returned.code = null;
          setNotice(t("line.linking"));
          try {
            const linked = await finishLineLink(session.token, lang, code, state);
            if (returnTo) {
              sessionStorage.removeItem(RETURN_KEY);
              location.assign(returnTo);
              return;
            }
            if (!stop) {
              setStatus(linked);
              setNotice(t("line.done"));
            }
            return;
          } catch (e) {
            if (!stop) {
              setNotice("");
              setError(asApiError(e));
            }
          }
        }
        const current = await lineStatus(session.token, lang);
        if (!stop) setStatus(current);
      } catch (e) {
        if (!stop) setError(asApiError(e));
      }
    };
    load();
    return () => {
      stop = true;
    };
  }, [session.token, lang]);

  const link = async () => {
    setBusy(true);
    setError(null);
    try {
      await startLineLink(session.token, lang);
    } catch (e) {
      setError(asApiError(e));
      setBusy(false);
    }
  };
  const unlink = async () => {
    setBusy(true);
    setError(null);
    try {
      setStatus(await unlinkLine(session.token, lang));
      setNotice(t("line.unlinked"));
    } catch (e) {
      setError(asApiError(e));
    }
    setBusy(false);
  };

  return (
    <section class="panel" aria-labelledby="line-status-heading">
      <h2 id="line-status-heading">{t("line.status")}</h2>
      <p id="line-notice" role="status">{notice}</p>
      <Alert error={error} />
      {status === null ? (
        <Loading />
      ) : status.linked ? (
        <>
          <p>
            {t("line.linked", { date: status.linked_at ? formatTokyoDate(new Date(status.linked_at), lang) : "" })}
          </p>
          <p>{t("line.friend")}</p>
          {returnTo && (
            <p>
              <a class="button" href={returnTo} onClick={() => sessionStorage.removeItem(RETURN_KEY)}>
                {t("line.return")}
              </a>
            </p>
          )}
          <button type="button" class="button button--secondary" disabled={busy} onClick={unlink}>
            {t("line.unlink")}
          </button>
        </>
      ) : (
        <>
          <p>{t("line.notLinked")}</p>
          <button type="button" class="button" disabled={busy} onClick={link}>
            {t("line.link")}
          </button>
        </>
      )}
    </section>
  );
}

function LineLinkPage() {
  const { t } = useI18n();
  const [session, setSession] = useState<Session | null>(null);
  return (
    <Page title="line.title">
      <p class="lead">{t("line.intro")}</p>
      <SignIn onSession={setSession} audience="resident" />
      {session && session.me.role === "resident" && <LineLink session={session} />}
    </Page>
  );
}

mount(LineLinkPage);

import { useEffect, useRef, useState } from "preact/hooks";
import { AnswerList, StatusBadge } from "../components/application-form";
import { Page, mount } from "../components/app";
import { Alert, Loading } from "../components/feedback";
import { type Session, SignIn } from "../components/sign-in";
import { type ApiError, asApiError, request, withLang } from "../lib/http";
import { type ApplicationView, getApplication } from "../lib/applications";
import { useI18n } from "../lib/i18n";
import { queryParam } from "../lib/url";
import "../styles/base.css";

/**
 * The counter's confirmation tablet: what staff typed, shown in the resident's language (switcher above);
 * the resident confirms before it is submitted, signed in with their own account (a staff account is refused:
 * four-eyes, issue 13).
 */
function Confirm({ id, token }: { id: string; token: string }) {
  const { t, lang } = useI18n();
  const [app, setApp] = useState<ApplicationView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    getApplication(id, token, lang).then(setApp, (e) => setError(asApiError(e)));
  }, [id, lang, token]);
  useEffect(() => heading.current?.focus(), [app?.status]);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      setApp(
        await request<ApplicationView>(withLang(`/applications/${id}/confirm`, lang), {
          method: "POST",
          body: { confirm: true },
          token,
        }),
      );
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };

  if (!app) return error ? <Alert error={error} /> : <Loading />;
  return (
    <section class="panel" aria-labelledby="confirm-heading">
      <h2 id="confirm-heading" ref={heading} tabIndex={-1}>
        {app.procedure_name}
      </h2>
      <Alert error={error} />
      <p role="status">
        {t("apply.number")}: {app.code} ・ {t("apply.statusLabel")}:{" "}
        <span id="confirm-status">
          <StatusBadge status={app.status} />
        </span>
      </p>
      <p>{t("confirm.intro")}</p>
      <AnswerList application={app} />
      {app.status === "awaiting_confirmation" ? (
        <button type="button" class="button" id="confirm-button" disabled={busy} onClick={confirm}>
          {t("confirm.button")}
        </button>
      ) : (
        app.confirmed_by && <p class="notice">{t("confirm.done")}</p>
      )}
    </section>
  );
}

function ConfirmPage() {
  const { t } = useI18n();
  const [session, setSession] = useState<Session | null>(null);
  const id = queryParam("id");
  return (
    <Page title="confirm.title">
      <SignIn onSession={setSession} />
      {!id ? <p>{t("confirm.noId")}</p> : session ? <Confirm id={id} token={session.token} /> : null}
    </Page>
  );
}

mount(ConfirmPage);

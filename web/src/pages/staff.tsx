import { useEffect, useState } from "preact/hooks";
import { Page, mount } from "../components/app";
import { CaseSummaryText, FindCase } from "../components/case-find";
import { OpenCase } from "../components/case-open";
import { CasePage } from "../components/case-page";
import { Alert, Loading } from "../components/feedback";
import { FRONT_COUNTERS } from "../components/forms";
import { type Session, SignIn } from "../components/sign-in";
import { hasStoredSession } from "../lib/auth";
import type { TaskKind, TaskList } from "../lib/cases";
import { ApiError, request, withLang } from "../lib/http";
import { formatTokyoDate, formatTokyoTime } from "../lib/format";
import { type MessageKey, useI18n } from "../lib/i18n";
import { hrefWith, queryParam } from "../lib/url";
import "../styles/base.css";

const hrefFor = (caseId: string | null): string => hrefWith("case", caseId);
const currentCase = () => queryParam("case");

const TASK_KIND: Record<TaskKind, MessageKey> = {
  review: "staff.inbox.kind.review",
  awaiting_resident: "staff.inbox.kind.awaiting_resident",
};

interface InboxProps {
  session: Session | null;
  onOpenCase: (caseId: string) => void;
  /** Case to focus the link of once the list is shown (coming back from that case). */
  focusCase: string | null;
}

/** The department inbox: workflow steps waiting for this staff member's department (GET /staff/tasks). */
function Inbox({ session, onOpenCase, focusCase }: InboxProps) {
  const { t, lang } = useI18n();
  const [tasks, setTasks] = useState<TaskList | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [version, setVersion] = useState(0);
  const [loading, setLoading] = useState(false);
  const isStaff = session?.me.role === "staff";

  useEffect(() => {
    setError(null);
    if (!session || !isStaff) {
      setTasks(null);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    request<TaskList>(withLang("/staff/tasks", lang), { token: session.token, signal: controller.signal }).then(
      (list) => {
        setTasks(list);
        setLoading(false);
      },
      (e: unknown) => {
        if (controller.signal.aborted) return;
        setTasks(null);
        setLoading(false);
        setError(e instanceof ApiError ? e : new ApiError(0, "network", ""));
      },
    );
    return () => controller.abort();
  }, [session, isStaff, lang, version]);

  useEffect(() => {
    if (tasks && focusCase) document.getElementById(`open-case-${focusCase}`)?.focus();
  }, [tasks !== null]);

  return (
    <section class="panel" aria-labelledby="inbox-heading">
      <h2 id="inbox-heading">{t("staff.inbox.heading")}</h2>
      <Alert error={error} />
      {!session && <p>{t("staff.inbox.signInFirst")}</p>}
      {session && !isStaff && <p>{t("staff.inbox.staffOnly")}</p>}
      {isStaff && !tasks && !error && <Loading />}
      {isStaff && (
        <button
          type="button"
          class="button button--secondary"
          onClick={() => setVersion((v) => v + 1)}
          disabled={loading}
        >
          {t("staff.inbox.refresh")}
        </button>
      )}
      {tasks && tasks.tasks.length === 0 && <p>{t("staff.inbox.empty")}</p>}
      {tasks && tasks.tasks.length > 0 && (
        <table class="table">
          <caption>{t("staff.inbox.caption", { count: tasks.tasks.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("staff.inbox.person")}</th>
              <th scope="col">{t("staff.inbox.step")}</th>
              <th scope="col">{t("staff.inbox.kind")}</th>
              <th scope="col">{t("staff.inbox.received")}</th>
              <th scope="col">{t("staff.inbox.case")}</th>
            </tr>
          </thead>
          <tbody>
            {tasks.tasks.map((task) => {
              const received = new Date(task.created_at);
              return (
                <tr key={task.id}>
                  <td>
                    <CaseSummaryText summary={task.case_summary} />
                  </td>
                  <td>{task.step}</td>
                  <td>{task.kind ? t(TASK_KIND[task.kind] ?? "staff.inbox.kind.review") : ""}</td>
                  <td>
                    <time dateTime={task.created_at}>
                      {formatTokyoDate(received, lang)} {formatTokyoTime(received, lang)}
                    </time>
                  </td>
                  <td>
                    {task.case_id && (
                      <a
                        id={`open-case-${task.case_id}`}
                        href={hrefFor(task.case_id)}
                        onClick={(event) => {
                          if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
                          event.preventDefault();
                          onOpenCase(task.case_id as string);
                        }}
                      >
                        {t("staff.inbox.openCase")}
                        <span class="visually-hidden"> {task.case_id}</span>
                      </a>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Staff() {
  const { t } = useI18n();
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(hasStoredSession);
  const [caseId, setCaseId] = useState<string | null>(currentCase);
  const [cameFrom, setCameFrom] = useState<string | null>(null);

  useEffect(() => {
    const onPop = () => setCaseId(currentCase());
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);

  const onSession = (next: Session | null) => {
    setRestoring(false);
    setSession(next);
  };
  const openCase = (id: string) => {
    history.pushState(null, "", hrefFor(id));
    setCameFrom(null);
    setCaseId(id);
  };
  const backToConsole = () => {
    history.pushState(null, "", hrefFor(null));
    setCameFrom(caseId);
    setCaseId(null);
    document.getElementById("main")?.focus();
  };
  const isOneStop = session?.me.role === "staff" && FRONT_COUNTERS.includes(session.me.department ?? "");

  return (
    // On a case page only the case prints (the summary for the resident), without the site frame.
    <Page title="staff.title" variant={caseId ? "page--case" : undefined}>
      <p class="print-hide">
        <a href="/staff/applications/">{t("staff.applicationsLink")}</a>
      </p>
      <SignIn onSession={onSession} />
      <p class="no-print">
        <a href="/staff/guide/">{t("staffguide.staffLink")}</a> · <a href="/staff/faq/">{t("stafffaq.staffLink")}</a> · <a href="/staff/queue/">{t("queue.staff.link")}</a> · <a href="/staff/dashboard/">{t("dashboard.title")}</a>
      </p>
      {caseId ? (
        <CasePage
          caseId={caseId}
          me={session?.me ?? null}
          token={session?.token ?? null}
          restoring={restoring}
          backHref={hrefFor(null)}
          onBack={backToConsole}
        />
      ) : (
        <>
          {isOneStop && session && <FindCase token={session.token} onFound={openCase} />}
          {isOneStop && session && <OpenCase token={session.token} onOpened={openCase} />}
          {session?.me.department === "shisetsu" && (
            <p class="callout">
              <a href="/staff/facilities/">{t("staffFacilities.link")}</a>
            </p>
          )}
          <div class="placeholders">
            <Inbox session={session} onOpenCase={openCase} focusCase={cameFrom} />
            <section class="panel" aria-labelledby="queue-heading">
              <h2 id="queue-heading">{t("staff.queue.heading")}</h2>
              <p>{t("staff.queue.placeholder")}</p>
            </section>
          </div>
        </>
      )}
    </Page>
  );
}

mount(Staff);

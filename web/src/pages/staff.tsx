import { useEffect, useState } from "preact/hooks";
import { mount } from "../components/app";
import { CaseSummaryText, FindCase } from "../components/case-find";
import { OpenCase } from "../components/case-open";
import { CasePage } from "../components/case-page";
import { Alert, Loading } from "../components/feedback";
import { FRONT_COUNTERS } from "../components/forms";
import type { Session } from "../components/sign-in";
import { StaffPage, useWorkspace } from "../components/staff-nav";
import { hasStoredSession } from "../lib/auth";
import type { TaskKind, TaskList } from "../lib/cases";
import { ApiError, request, withLang } from "../lib/http";
import { formatTokyoDate, formatTokyoTime } from "../lib/format";
import { type MessageKey, useI18n } from "../lib/i18n";
import { type CounterInfo, type CounterStatus, usePoll } from "../lib/queue";
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
      <h2 id="inbox-heading">{t("staff.cases.tasks")}</h2>
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

/** The department's waiting work, counted by GET /staff/inbox (the same count as the navigation's). */
function InboxSummary() {
  const { t } = useI18n();
  const { session, inbox } = useWorkspace();
  if (!session || session.me.role !== "staff") return null;
  const rows: { label: MessageKey; count: number | undefined; href: string; id: string }[] = [
    {
      id: "received",
      label: "staff.summary.received",
      count: inbox?.applications_received,
      href: "/staff/applications/?status=received",
    },
    {
      id: "in-review",
      label: "staff.summary.inReview",
      count: inbox?.applications_in_review,
      href: "/staff/applications/?status=in_review",
    },
    { id: "case-tasks", label: "staff.summary.caseTasks", count: inbox?.case_tasks, href: "#cases" },
    {
      id: "verifications",
      label: "staff.summary.verifications",
      count: inbox?.verifications,
      href: "/staff/applications/#verify-heading",
    },
    {
      id: "case-verifications",
      label: "staff.summary.caseVerifications",
      count: inbox?.case_verifications,
      href: "#case-verifications-heading",
    },
  ];
  return (
    <section class="panel" aria-labelledby="summary-heading">
      <h2 id="summary-heading">{t("staff.summary.heading")}</h2>
      {!inbox && <Loading />}
      {inbox && (
        <>
          <p class="inbox-counts" id="inbox-total" data-total={inbox.total}>
            {t("staff.summary.total", { count: inbox.total })}
          </p>
          <ul>
            {rows.map((row) => (
              <li key={row.id}>
                <a href={row.href} id={`inbox-${row.id}`} data-count={row.count}>
                  {t(row.label)}: {row.count}
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** The live state of the department's counters (GET /queues/{id}/status, the display board's data). */
function CounterState({ counter }: { counter: CounterInfo }) {
  const { t } = useI18n();
  const status = usePoll<CounterStatus>(`/queues/${counter.id}/status`, 10);
  if (!status.data) return <Loading />;
  const calling = status.data.calling.map((c) => c.number).join(", ");
  return (
    <li id={`queue-state-${counter.id}`}>
      {t("staff.queue.counter", {
        name: counter.name,
        waiting: status.data.waiting,
        minutes: status.data.estimated_wait_minutes,
      })}
      {" — "}
      <span class="queue-calling">
        {calling ? t("staff.queue.calling", { numbers: calling }) : t("staff.queue.nobodyCalled")}
      </span>
    </li>
  );
}

function QueuePanel() {
  const { t, lang } = useI18n();
  const { session } = useWorkspace();
  const [counters, setCounters] = useState<CounterInfo[] | null>(null);
  const department = session?.me.department ?? null;
  useEffect(() => {
    request<{ counters: CounterInfo[] }>(withLang("/queues", lang)).then(
      (list) => setCounters(list.counters),
      () => setCounters([]),
    );
  }, [lang]);
  if (!session || session.me.role !== "staff") return null;
  const mine = (counters ?? []).filter((c) => c.department === department);
  return (
    <section class="panel" aria-labelledby="queue-heading">
      <h2 id="queue-heading">{t("staff.queue.heading")}</h2>
      {!counters && <Loading />}
      {counters && mine.length === 0 && <p>{t("staff.queue.none")}</p>}
      {mine.length > 0 && (
        <ul>
          {mine.map((c) => (
            <CounterState key={c.id} counter={c} />
          ))}
        </ul>
      )}
      <p>
        <a href="/staff/queue/">{t("staff.queue.open")}</a>
      </p>
    </section>
  );
}

interface PendingVerification {
  case_id: string;
  verification: { id: string; question: string; asked_at: string; asked_department: string | null };
}

/** Questions other departments asked of this one in one-stop cases (GET /staff/case-verifications): answered on
 * the case's page; the inbox counts the same items. */
function CaseVerifications({ session, onOpenCase }: { session: Session | null; onOpenCase: (id: string) => void }) {
  const { t, lang } = useI18n();
  const [items, setItems] = useState<PendingVerification[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const isStaff = session?.me.role === "staff";
  useEffect(() => {
    if (!session || !isStaff) return;
    const controller = new AbortController();
    request<{ verifications: PendingVerification[] }>(withLang("/staff/case-verifications", lang), {
      token: session.token,
      signal: controller.signal,
    }).then(
      (page) => setItems(page.verifications),
      (e: unknown) => {
        if (!controller.signal.aborted) setError(e instanceof ApiError ? e : new ApiError(0, "network", ""));
      },
    );
    return () => controller.abort();
  }, [session, isStaff, lang]);
  if (!isStaff) return null;
  return (
    <section class="panel" aria-labelledby="case-verifications-heading">
      <h2 id="case-verifications-heading" tabIndex={-1}>
        {t("staff.caseVerifications.heading")}
      </h2>
      <Alert error={error} />
      {!items && !error && <Loading />}
      {items && items.length === 0 && <p>{t("staff.caseVerifications.empty")}</p>}
      {items && items.length > 0 && (
        <table class="table" id="case-verifications">
          <thead>
            <tr>
              <th scope="col">{t("staff.caseVerifications.question")}</th>
              <th scope="col">{t("staff.caseVerifications.asked")}</th>
              <th scope="col">{t("staff.inbox.case")}</th>
            </tr>
          </thead>
          <tbody>
            {items.map(({ case_id, verification }) => {
              const asked = new Date(verification.asked_at);
              return (
                <tr key={verification.id}>
                  <td>{verification.question}</td>
                  <td>
                    <time dateTime={verification.asked_at}>
                      {formatTokyoDate(asked, lang)} {formatTokyoTime(asked, lang)}
                    </time>
                  </td>
                  <td>
                    <a
                      href={hrefFor(case_id)}
                      onClick={(event) => {
                        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
                        event.preventDefault();
                        onOpenCase(case_id);
                      }}
                    >
                      {t("staff.inbox.openCase")}
                      <span class="visually-hidden"> {verification.question}</span>
                    </a>
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
    <StaffPage
      title="staff.title"
      section={caseId ? "cases" : "inbox"}
      variant={caseId ? "page--case" : undefined}
      onSession={onSession}
    >
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
          {session && session.me.role !== "staff" && <p>{t("staff.inbox.staffOnly")}</p>}
          <div class="placeholders">
            <InboxSummary />
            <QueuePanel />
          </div>
          <section id="cases" aria-labelledby="cases-heading" tabIndex={-1}>
            <h2 id="cases-heading">{t("staff.cases.heading")}</h2>
            {isOneStop && session && <FindCase token={session.token} onFound={openCase} />}
            {isOneStop && session && <OpenCase token={session.token} onOpened={openCase} />}
            <Inbox session={session} onOpenCase={openCase} focusCase={cameFrom} />
            <CaseVerifications session={session} onOpenCase={openCase} />
          </section>
        </>
      )}
    </StaffPage>
  );
}

mount(Staff);

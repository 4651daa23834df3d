import { useEffect, useState } from "preact/hooks";
import { Page, mount } from "../components/app";
import { Alert, Loading } from "../components/feedback";
import { ApiError, type AppConfig, type Me, type TaskList, request, withLang } from "../lib/api";
import { formatTokyoDate, formatTokyoTime } from "../lib/format";
import { useI18n } from "../lib/i18n";
import "../styles/base.css";

const TOKEN_KEY = "madoguchi.token";

const tokenStore = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

interface Session {
  me: Me;
  token: string;
}

function SignIn({ onSession }: { onSession: (session: Session | null) => void }) {
  const { t } = useI18n();
  const [config, setConfig] = useState<AppConfig | null>(null);
  const [me, setMe] = useState<Me | null>(null);
  const [user, setUser] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const loadMe = async (token: string) => {
    try {
      const who = await request<Me>("/me", { token });
      setMe(who);
      onSession({ me: who, token });
    } catch (e) {
      tokenStore.clear();
      setMe(null);
      onSession(null);
      if (!(e instanceof ApiError && e.status === 401)) throw e;
    }
  };

  useEffect(() => {
    request<AppConfig>("/config.json")
      .then((c) => {
        setConfig(c);
        const users = c.auth.demoUsers;
        setUser((u) => u || (users.find((d) => d.role === "staff") ?? users[0])?.id || "");
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
      await loadMe(token);
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
  };

  return (
    <section class="panel" aria-labelledby="signin-heading">
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
      {config && !me && config.auth.tokenUrl === null && <p class="notice">{t("staff.notConfigured")}</p>}
      {config && !me && config.auth.tokenUrl !== null && (
        <form class="form" onSubmit={signIn}>
          <div class="field">
            <label for="signin-user">{t("staff.signIn.user")}</label>
            <select id="signin-user" value={user} onChange={(e) => setUser(e.currentTarget.value)}>
              {config.auth.demoUsers.map((u) => (
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

/** The department inbox: workflow steps waiting for this staff member's department (GET /staff/tasks). */
function Inbox({ session }: { session: Session | null }) {
  const { t, lang } = useI18n();
  const [tasks, setTasks] = useState<TaskList | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const isStaff = session?.me.role === "staff";

  useEffect(() => {
    setTasks(null);
    setError(null);
    if (!session || !isStaff) return;
    const controller = new AbortController();
    request<TaskList>(withLang("/staff/tasks", lang), { token: session.token, signal: controller.signal }).then(
      setTasks,
      (e: unknown) => {
        if (!controller.signal.aborted) setError(e instanceof ApiError ? e : new ApiError(0, "network", ""));
      },
    );
    return () => controller.abort();
  }, [session, isStaff, lang]);

  return (
    <section class="panel" aria-labelledby="inbox-heading">
      <h2 id="inbox-heading">{t("staff.inbox.heading")}</h2>
      <Alert error={error} />
      {!session && <p>{t("staff.inbox.signInFirst")}</p>}
      {session && !isStaff && <p>{t("staff.inbox.staffOnly")}</p>}
      {isStaff && !tasks && !error && <Loading />}
      {tasks && tasks.tasks.length === 0 && <p>{t("staff.inbox.empty")}</p>}
      {tasks && tasks.tasks.length > 0 && (
        <table class="table">
          <caption>{t("staff.inbox.caption", { count: tasks.tasks.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("staff.inbox.step")}</th>
              <th scope="col">{t("staff.inbox.received")}</th>
            </tr>
          </thead>
          <tbody>
            {tasks.tasks.map((task) => {
              const received = new Date(task.created_at);
              return (
                <tr key={task.id}>
                  <td>{task.step}</td>
                  <td>
                    <time dateTime={task.created_at}>
                      {formatTokyoDate(received, lang)} {formatTokyoTime(received, lang)}
                    </time>
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
  return (
    <Page title="staff.title">
      <SignIn onSession={setSession} />
      <div class="placeholders">
        <Inbox session={session} />
        <section class="panel" aria-labelledby="queue-heading">
          <h2 id="queue-heading">{t("staff.queue.heading")}</h2>
          <p>{t("staff.queue.placeholder")}</p>
        </section>
      </div>
    </Page>
  );
}

mount(Staff);

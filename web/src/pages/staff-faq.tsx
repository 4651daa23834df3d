import { useEffect, useState } from "preact/hooks";
import { mount } from "../components/app";
import { Alert, Loading } from "../components/feedback";
import type { Session } from "../components/sign-in";
import { StaffPage } from "../components/staff-nav";
import { type ApiError, asApiError, request, withLang } from "../lib/http";
import type { FaqEntryHistory, FaqUnanswered } from "../lib/faq";
import { type Lang, LANG_NAMES, LANGS, type MessageKey, useI18n } from "../lib/i18n";
import "../styles/base.css";
import "../styles/guide.css";

const TOPICS = [
  "certificates",
  "konbini",
  "mynumber",
  "moving",
  "tax",
  "insurance",
  "pension",
  "children",
  "facilities",
  "queue",
  "hours",
  "payments",
  "family",
];

/** Questions the FAQ could not answer (masked), newest first; staff mark them reviewed. */
function Unanswered({ session, onEdit }: { session: Session; onEdit: (entryId: string) => void }) {
  const { t, lang } = useI18n();
  const [items, setItems] = useState<FaqUnanswered[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    request<{ items: FaqUnanswered[] }>(withLang("/staff/faq/unanswered", lang), { token: session.token }).then(
      (r) => setItems(r.items),
      (e: unknown) => setError(asApiError(e)),
    );
  }, [session, lang, version]);

  const resolve = async (id: string) => {
    try {
      await request(withLang(`/staff/faq/unanswered/${encodeURIComponent(id)}/resolve`, lang), {
        method: "POST",
        token: session.token,
      });
      setVersion(version + 1);
    } catch (e) {
      setError(asApiError(e));
    }
  };

  return (
    <section aria-labelledby="unanswered-heading">
      <h2 id="unanswered-heading">{t("stafffaq.unanswered.title")}</h2>
      <p>{t("stafffaq.unanswered.masked")}</p>
      <Alert error={error} />
      {!items && !error && <Loading />}
      {items && items.length === 0 && <p>{t("stafffaq.unanswered.none")}</p>}
      {items && items.length > 0 && (
        <table>
          <caption>{t("stafffaq.unanswered.caption", { count: items.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("stafffaq.col.asked")}</th>
              <th scope="col">{t("stafffaq.col.question")}</th>
              <th scope="col">{t("stafffaq.col.best")}</th>
              <th scope="col">{t("stafffaq.col.action")}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id}>
                <td>
                  {new Date(item.asked_at).toLocaleString(undefined, { timeZone: "Asia/Tokyo" })} (
                  {t(`stafffaq.channel.${item.channel}` as MessageKey)}, {LANG_NAMES[item.lang as Lang] ?? item.lang})
                </td>
                <td>{item.text}</td>
                <td>
                  {item.best_entry ? (
                    <button type="button" class="button button--secondary" onClick={() => onEdit(item.best_entry ?? "")}>
                      {t("stafffaq.editBest")}
                    </button>
                  ) : (
                    "—"
                  )}
                </td>
                <td>
                  <button type="button" class="button" onClick={() => resolve(item.id)}>
                    {t("stafffaq.resolve")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Edit one entry in the six languages; saving makes a new version (the search sees it at once). */
function Editor({ session, entryId, onEntryId }: { session: Session; entryId: string; onEntryId: (id: string) => void }) {
  const { t } = useI18n();
  const [text, setText] = useState(entryId);
  const [loaded, setLoaded] = useState<FaqEntryHistory | null>(null);
  const [q, setQ] = useState<Record<string, string>>({});
  const [a, setA] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | string | null>(null);
  const [saved, setSaved] = useState("");

  const load = async (id: string) => {
    setSaved("");
    try {
      const history = await request<FaqEntryHistory>(`/staff/faq/entries/${encodeURIComponent(id)}`, {
        token: session.token,
      });
      setLoaded(history);
      setQ(history.entry.q);
      setA(history.entry.a);
      setError(null);
    } catch (e) {
      const error = asApiError(e);
      if (error.status === 404 && /^[a-z0-9][a-z0-9-]{0,63}$/.test(id)) {
        // A new entry: version 0, written in all six languages before it can be saved
        setLoaded({
          entry: { id, topic: "hours", q: {}, a: {}, link: null, version: 0, updated_at: null, updated_by: null },
          versions: [],
        });
        setQ({});
        setA({});
        setError(null);
        setSaved(t("stafffaq.editor.new", { id }));
        return;
      }
      setLoaded(null);
      setError(error);
    }
  };
  useEffect(() => {
    setText(entryId);
    if (entryId) void load(entryId);
  }, [entryId]);

  const save = async (e: Event) => {
    e.preventDefault();
    if (!loaded) return;
    try {
      const entry = await request<FaqEntryHistory["entry"]>(`/staff/faq/entries/${encodeURIComponent(loaded.entry.id)}`, {
        method: "PUT",
        token: session.token,
        body: { topic: loaded.entry.topic, q, a, link: loaded.entry.link, expected_version: loaded.entry.version },
      });
      await load(entry.id);
      setSaved(t("stafffaq.saved", { version: entry.version }));
    } catch (err) {
      setError(asApiError(err));
    }
  };

  return (
    <section aria-labelledby="editor-heading" class="staff-faq">
      <h2 id="editor-heading">{t("stafffaq.editor.title")}</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onEntryId(text.trim());
        }}
      >
        <label for="faq-entry-id">{t("stafffaq.editor.id")}</label>
        <input id="faq-entry-id" value={text} onInput={(e) => setText(e.currentTarget.value)} />{" "}
        <button type="submit" class="button button--secondary">
          {t("stafffaq.editor.load")}
        </button>
      </form>
      <Alert error={error} />
      <p role="status">{saved}</p>
      {loaded && (
        <form onSubmit={save}>
          <p>{t("stafffaq.editor.version", { version: loaded.entry.version })}</p>
          <label for="faq-topic">{t("stafffaq.editor.topic")}</label>
          <select
            id="faq-topic"
            value={loaded.entry.topic}
            onChange={(e) => setLoaded({ ...loaded, entry: { ...loaded.entry, topic: e.currentTarget.value } })}
          >
            {TOPICS.map((topic) => (
              <option key={topic} value={topic}>
                {t(`stafffaq.topic.${topic}` as MessageKey)}
              </option>
            ))}
          </select>
          {LANGS.map((l) => (
            <fieldset key={l}>
              <legend>{LANG_NAMES[l]}</legend>
              <label for={`faq-q-${l}`}>{t("stafffaq.editor.question")}</label>
              <textarea id={`faq-q-${l}`} rows={2} value={q[l] ?? ""} onInput={(e) => setQ({ ...q, [l]: e.currentTarget.value })} />
              <label for={`faq-a-${l}`}>{t("stafffaq.editor.answer")}</label>
              <textarea id={`faq-a-${l}`} rows={4} value={a[l] ?? ""} onInput={(e) => setA({ ...a, [l]: e.currentTarget.value })} />
            </fieldset>
          ))}
          <p>
            <button type="submit" class="button">
              {t("stafffaq.editor.save")}
            </button>
          </p>
          <h3>{t("stafffaq.editor.history")}</h3>
          <ul>
            {loaded.versions.map((v) => (
              <li key={v.version}>
                v{v.version}: {v.q.ja} ({v.updated_by ?? t("stafffaq.seeded")})
              </li>
            ))}
          </ul>
        </form>
      )}
    </section>
  );
}

function StaffFaq() {
  const { t } = useI18n();
  const [session, setSession] = useState<Session | null>(null);
  const [entryId, setEntryId] = useState("");
  const isStaff = session?.me.role === "staff";
  return (
    <StaffPage title="stafffaq.title" section="faq" onSession={setSession}>
      {session && !isStaff && <p>{t("staff.inbox.staffOnly")}</p>}
      {session && isStaff && (
        <>
          <Unanswered session={session} onEdit={setEntryId} />
          <Editor session={session} entryId={entryId} onEntryId={setEntryId} />
        </>
      )}
    </StaffPage>
  );
}

mount(StaffFaq);

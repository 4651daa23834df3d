/** The messages departments send each other about a case, and the form to send one. */
import type { Me } from "../lib/auth";
import type { CaseView } from "../lib/cases";
import { useI18n } from "../lib/i18n";
import { type Act, DepartmentTextForm } from "./case-forms";
import { departmentName } from "./forms";
import { When } from "./when";

function ThreadForm({ caseId, me, act }: { caseId: string; me: Me; act: Act }) {
  return (
    <DepartmentTextForm
      me={me}
      act={act}
      path={`/cases/${encodeURIComponent(caseId)}/thread`}
      done="case.done.posted"
      body={(department, text) => ({ to_department: department, text })}
      departmentId="thread-to"
      departmentLabel="case.thread.to"
      textId="thread-text"
      textLabel="case.thread.text"
      textRequired="case.thread.textRequired"
      rows={3}
      submitLabel="case.thread.send"
    />
  );
}

export function CaseThread({ view, me, act }: { view: CaseView; me: Me; act: Act }) {
  const { t, lang } = useI18n();
  return (
    <>
      <h3>{t("case.thread.heading")}</h3>
      {view.thread.length > 0 ? (
        <ol class="messages">
          {view.thread.map((m) => (
            <li key={m.id}>
              <p class="messages__meta">
                {t("case.thread.from", {
                  by: m.by,
                  department: departmentName(t, m.department),
                  to: departmentName(t, m.to_department),
                })}{" "}
                <When at={m.at} lang={lang} />
              </p>
              <p>{m.text}</p>
            </li>
          ))}
        </ol>
      ) : (
        <p>{t("case.none")}</p>
      )}
      <ThreadForm caseId={view.id} me={me} act={act} />
    </>
  );
}

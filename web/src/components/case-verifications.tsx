/** Questions one department asks another to verify about a case, their answers, and the forms to ask and answer. */
import type { Me } from "../lib/auth";
import type { CaseView, Verification } from "../lib/cases";
import { useI18n } from "../lib/i18n";
import { type Act, DepartmentTextForm, useRequiredText } from "./case-forms";
import { departmentName, describedBy } from "./forms";

function AnswerForm({ caseId, verification, act }: { caseId: string; verification: Verification; act: Act }) {
  const { t } = useI18n();
  const id = `answer-${verification.id}`;
  const path = `/cases/${encodeURIComponent(caseId)}/verifications/${encodeURIComponent(verification.id)}/answer`;
  // Not cleared once answered: the reload replaces the form with the answer.
  const { text, setText, error, busy, send } = useRequiredText(
    id,
    "case.verifications.answerRequired",
    (answer) => act(path, { answer }, "case.done.answered"),
    false,
  );
  return (
    <form class="form" onSubmit={send} noValidate>
      <div class={error ? "field field--invalid" : "field"}>
        <label for={id}>{t("case.verifications.answer")}</label>
        <textarea
          rows={2}
          required
          id={id}
          aria-invalid={error ? "true" : undefined}
          aria-describedby={describedBy(`question-${verification.id}`, error && `${id}-error`)}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        {error && (
          <p id={`${id}-error`} class="field-error">
            {error}
          </p>
        )}
      </div>
      <button type="submit" class="button" disabled={busy}>
        {t("case.verifications.send")}
      </button>
    </form>
  );
}

function AskForm({ caseId, me, act }: { caseId: string; me: Me; act: Act }) {
  return (
    <DepartmentTextForm
      me={me}
      act={act}
      path={`/cases/${encodeURIComponent(caseId)}/verifications`}
      done="case.done.asked"
      body={(department, question) => ({ department, question })}
      departmentId="verification-department"
      departmentLabel="case.verifications.department"
      textId="verification-question"
      textLabel="case.verifications.question"
      textRequired="case.verifications.questionRequired"
      rows={2}
      submitLabel="case.verifications.ask"
    />
  );
}

export function CaseVerifications({ view, me, act }: { view: CaseView; me: Me; act: Act }) {
  const { t } = useI18n();
  return (
    <>
      <h3>{t("case.verifications.heading")}</h3>
      {view.verifications.length > 0 ? (
        <ul class="verifications">
          {view.verifications.map((v) => (
            <li key={v.id}>
              <p class="messages__meta">
                {t("case.verifications.asked", { by: v.asked_by, department: departmentName(t, v.department) })}
              </p>
              <p id={`question-${v.id}`}>{v.question}</p>
              {v.answer !== null ? (
                <p>{t("case.verifications.answeredBy", { by: v.answered_by ?? "", answer: v.answer })}</p>
              ) : me.department === v.department ? (
                <AnswerForm caseId={view.id} verification={v} act={act} />
              ) : (
                <p>{t("case.verifications.pending")}</p>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p>{t("case.none")}</p>
      )}
      <AskForm caseId={view.id} me={me} act={act} />
    </>
  );
}

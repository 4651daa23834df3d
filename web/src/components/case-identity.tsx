/** How the resident was identified (and the form to record it for a pre-registered case), and what they were told. */
import { useState } from "preact/hooks";
import type { Me } from "../lib/auth";
import type { CaseView } from "../lib/cases";
import type { ApiError } from "../lib/http";
import { useI18n } from "../lib/i18n";
import { IDENTITY_LABEL, IdentityFields } from "./case-open";
import type { Act } from "./case-forms";
import { FRONT_COUNTERS, fieldErrorsOf } from "./forms";
import { When } from "./when";

/**
 * One-stop staff record how a pre-registered case's identity was verified at the counter
 * (POST /cases/{caseId}/identity); the case then opens and the departments' steps start.
 */
function RecordIdentity({ caseId, act }: { caseId: string; act: Act }) {
  const { t } = useI18n();
  const [method, setMethod] = useState("");
  const [note, setNote] = useState("");
  const [errors, setErrors] = useState<{ method?: string; note?: string }>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!method) {
      setErrors({ method: t("case.open.methodRequired") });
      document.getElementById("record-identity-method")?.focus();
      return;
    }
    setErrors({});
    setBusy(true);
    const path = `/cases/${encodeURIComponent(caseId)}/identity`;
    // Done: the form is gone, so focus the identity section; refused: back to the form (if it is still shown).
    const focusAfter = (error: ApiError | null) => {
      if (!error) return "case-identity-heading";
      const noteOnly = error.status === 422 && fieldErrorsOf(error).note && !fieldErrorsOf(error).method;
      return noteOnly ? "record-identity-note" : "record-identity-method";
    };
    const failed = await act(path, { method, note: note.trim() }, "case.done.identity", focusAfter);
    setBusy(false);
    if (failed?.status === 422) {
      const fields = fieldErrorsOf(failed);
      setErrors({ method: fields.method, note: fields.note });
    }
  };
  return (
    <form
      class="case-form identity-form print-hide"
      onSubmit={submit}
      noValidate
      aria-labelledby="record-identity-heading"
    >
      <h4 id="record-identity-heading">{t("case.recordIdentity.heading")}</h4>
      <p>{t("case.recordIdentity.intro")}</p>
      <IdentityFields
        idPrefix="record-identity"
        method={method}
        note={note}
        errors={errors}
        onMethod={setMethod}
        onNote={setNote}
      />
      <div>
        <button type="submit" class="button" disabled={busy}>
          {t("case.recordIdentity.submit")}
        </button>
      </div>
    </form>
  );
}

export function CaseIdentity({ view, me, act }: { view: CaseView; me: Me; act: Act }) {
  const { t, lang } = useI18n();
  return (
    <>
      <h3 id="case-identity-heading" tabIndex={-1}>
        {t("case.identity.heading")}
      </h3>
      {view.identity ? (
        <dl class="facts">
          <div>
            <dt>{t("case.identity.method")}</dt>
            <dd>
              {IDENTITY_LABEL[view.identity.method]
                ? t(IDENTITY_LABEL[view.identity.method])
                : view.identity.method}
            </dd>
          </div>
          <div class="print-hide">
            <dt>{t("case.identity.by")}</dt>
            <dd>{view.identity.verified_by}</dd>
          </div>
          <div class="print-hide">
            <dt>{t("case.identity.at")}</dt>
            <dd>
              <When at={view.identity.verified_at} lang={lang} />
            </dd>
          </div>
          {view.identity.note && (
            <div class="print-hide">
              <dt>{t("case.identity.note")}</dt>
              <dd>{view.identity.note}</dd>
            </div>
          )}
        </dl>
      ) : (
        <p>{t("case.identity.none")}</p>
      )}
      {view.status === "awaiting_identity" && me.role === "staff" && FRONT_COUNTERS.includes(me.department ?? "") && (
        <RecordIdentity caseId={view.id} act={act} />
      )}
    </>
  );
}

export function CaseExplained({ explained }: { explained: string[] }) {
  const { t } = useI18n();
  return (
    <>
      <h3>{t("case.explained.heading")}</h3>
      {explained.length > 0 ? (
        <ul>
          {explained.map((item, i) => (
            <li key={i}>{item}</li>
          ))}
        </ul>
      ) : (
        <p>{t("case.none")}</p>
      )}
    </>
  );
}

import { useState } from "preact/hooks";
import type { CaseStep } from "../lib/cases";
import { useI18n } from "../lib/i18n";
import { type Act, fieldMessage } from "./case-forms";
import { Field, controlProps } from "./forms";

/** Approve / Return for the signed-in department's own step (authenticated POSTs, never links). */
export function Decision({ step, act }: { step: CaseStep; act: Act }) {
  const { t } = useI18n();
  const [note, setNote] = useState("");
  const [reason, setReason] = useState("");
  const [reasonError, setReasonError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const taskId = step.task_id as string;
  const base = `/staff/tasks/${encodeURIComponent(taskId)}`;
  const stepHeading = `step-${step.department}-heading`;
  const awaitingResident = step.status === "needs_resident";

  const approve = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const trimmed = note.trim();
    // Recording a missing item sends the step back to review: say so, never "approved".
    const done = awaitingResident ? "case.done.received" : "case.done.approved";
    const failed = await act(`${base}/approve`, trimmed ? { note: trimmed } : {}, done, stepHeading);
    setBusy(false);
    if (!failed) setNote("");
  };

  const sendBack = async (e: Event) => {
    e.preventDefault();
    const trimmed = reason.trim();
    if (!trimmed) {
      setReasonError(t("case.decision.reasonRequired"));
      document.getElementById(`reason-${step.department}`)?.focus();
      return;
    }
    setReasonError(undefined);
    setBusy(true);
    const failed = await act(`${base}/return`, { reason: trimmed }, "case.done.returned", stepHeading);
    setBusy(false);
    if (failed) setReasonError(fieldMessage(failed));
    else setReason("");
  };

  const noteId = `note-${step.department}`;
  const reasonId = `reason-${step.department}`;
  return (
    <div class="decision print-hide">
      <h5>{t("case.decision.heading")}</h5>
      <form class="form" onSubmit={approve}>
        <Field id={noteId} label={t("case.decision.note")}>
          <input
            type="text"
            {...controlProps(noteId, undefined, undefined)}
            value={note}
            onInput={(e) => setNote(e.currentTarget.value)}
          />
        </Field>
        <button type="submit" class="button" disabled={busy}>
          {t(awaitingResident ? "case.decision.received" : "case.decision.approve")}
        </button>
      </form>
      {!awaitingResident && (
        <form class="form" onSubmit={sendBack} noValidate>
          <Field
            id={reasonId}
            label={t("case.decision.reason")}
            hint={t("case.decision.reasonHint")}
            error={reasonError}
          >
            <textarea
              rows={3}
              required
              {...controlProps(reasonId, t("case.decision.reasonHint"), reasonError)}
              value={reason}
              onInput={(e) => setReason(e.currentTarget.value)}
            />
          </Field>
          <button type="submit" class="button button--secondary" disabled={busy}>
            {t("case.decision.return")}
          </button>
        </form>
      )}
    </div>
  );
}

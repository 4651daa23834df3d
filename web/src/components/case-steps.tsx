/** Each department's step of a case (with the signed-in department's guide and decision), and what is left elsewhere. */
import type { Me } from "../lib/auth";
import type { CaseStep, CaseView, StepStatus } from "../lib/cases";
import { type MessageKey, useI18n } from "../lib/i18n";
import { Decision } from "./case-decision";
import type { Act } from "./case-forms";

const STEP_STATUS: Record<StepStatus, MessageKey> = {
  pending: "case.step.status.pending",
  waiting: "case.step.status.waiting",
  approved: "case.step.status.approved",
  needs_resident: "case.step.status.needs_resident",
  escalated: "case.step.status.escalated",
};

// The printed summary is the resident's: their words for each status (as on the pre-registration page), and an
// overdue step is the city's concern, shown as in progress.
const RESIDENT_STATUS: Record<StepStatus, MessageKey> = {
  pending: "resident.step.status.pending",
  waiting: "resident.step.status.waiting",
  approved: "resident.step.status.approved",
  needs_resident: "resident.step.status.needs_resident",
  escalated: "resident.step.status.waiting",
};

function Step({ step, me, act }: { step: CaseStep; me: Me; act: Act }) {
  const { t } = useI18n();
  const own = me.department === step.department;
  const headingId = `step-${step.department}-heading`;
  const decidable = own && step.task_id && step.status !== "approved";
  return (
    <li class={own ? "step step--own" : "step"}>
      <h4 id={headingId} tabIndex={-1}>
        {step.department_name}
        {own && <span class="step__mine print-hide"> ({t("case.step.yours")})</span>}
      </h4>
      <dl class="facts">
        <div>
          <dt>{t("case.status")}</dt>
          <dd>
            <span class={`status status--${step.status} print-hide`}>
              {t(STEP_STATUS[step.status] ?? "case.step.status.waiting")}
            </span>
            <span class="print-only">{t(RESIDENT_STATUS[step.status] ?? "resident.step.status.waiting")}</span>
          </dd>
        </div>
        {step.return_reason && (
          <div>
            <dt>{t("case.step.returnReason")}</dt>
            <dd>{step.return_reason}</dd>
          </div>
        )}
      </dl>
      {!own && step.procedures.length > 0 && (
        <ul aria-label={t("case.step.procedures")}>
          {step.procedures.map((p) => (
            <li key={p.id}>{p.name}</li>
          ))}
        </ul>
      )}
      {own &&
        step.procedures.map((p) => (
          <div class="procedure-guide" key={p.id}>
            <h5>{p.name}</h5>
            <div class="print-hide">
              <h6>{t("case.procedure.check")}</h6>
              <ul class="checklist">
                {p.check.map((item) => (
                  <li key={item}>{item}</li>
                ))}
              </ul>
              <h6>{t("case.procedure.explain")}</h6>
              <ul>
                {p.explain.map((item) => (
                  <li key={item}>{item}</li>
                ))}
              </ul>
            </div>
          </div>
        ))}
      {decidable && <Decision key={step.task_id} step={step} act={act} />}
    </li>
  );
}

export function CaseSteps({ steps, me, act }: { steps: CaseStep[]; me: Me; act: Act }) {
  const { t } = useI18n();
  return (
    <>
      <h3 id="case-steps-heading">{t("case.steps.heading")}</h3>
      {steps.length > 0 ? (
        <ul class="steps" aria-labelledby="case-steps-heading">
          {steps.map((step) => (
            <Step key={step.department} step={step} me={me} act={act} />
          ))}
        </ul>
      ) : (
        <p>{t("case.none")}</p>
      )}
    </>
  );
}

export function CaseRemaining({ remaining }: { remaining: CaseView["remaining"] }) {
  const { t } = useI18n();
  return (
    <>
      <h3 id="case-remaining-heading">{t("case.remaining.heading")}</h3>
      {remaining.length > 0 ? (
        <ul aria-labelledby="case-remaining-heading">
          {remaining.map((r) => (
            <li key={r.id}>
              {r.name} ({t("case.remaining.where")}: {r.where})
            </li>
          ))}
        </ul>
      ) : (
        <p>{t("case.none")}</p>
      )}
    </>
  );
}

/** The audit trail of a case: who did what, when, for which department. */
import type { TimelineEntry } from "../lib/cases";
import { type MessageKey, useI18n } from "../lib/i18n";
import { departmentName } from "./forms";
import { When } from "./when";

const TIMELINE_ACTION: Record<string, MessageKey> = {
  case_opened: "case.timeline.case_opened",
  case_viewed: "case.timeline.case_viewed",
  identity_verified: "case.timeline.identity_verified",
  workflow_started: "case.timeline.workflow_started",
  step_waiting: "case.timeline.step_waiting",
  step_approved: "case.timeline.step_approved",
  step_returned: "case.timeline.step_returned",
  step_needs_resident: "case.timeline.step_needs_resident",
  missing_item_received: "case.timeline.missing_item_received",
  step_escalated: "case.timeline.step_escalated",
  case_closed: "case.timeline.case_closed",
  message_posted: "case.timeline.message_posted",
  verification_asked: "case.timeline.verification_asked",
  verification_answered: "case.timeline.verification_answered",
};

export function CaseTimeline({ timeline }: { timeline: TimelineEntry[] }) {
  const { t, lang } = useI18n();
  return (
    <>
      <h3>{t("case.timeline.heading")}</h3>
      <ol class="timeline">
        {timeline.map((entry, i) => (
          <li key={i}>
            <When at={entry.at} lang={lang} /> —{" "}
            {TIMELINE_ACTION[entry.action] ? t(TIMELINE_ACTION[entry.action]) : entry.action}
            {entry.department && ` (${departmentName(t, entry.department)})`} — {entry.actor}
            {entry.detail && `: ${entry.detail}`}
          </li>
        ))}
      </ol>
    </>
  );
}

/** The top of a case: its status with the last action's notice, who opened it and when, refresh and print. */
import type { CaseStatus, CaseView } from "../lib/cases";
import { type MessageKey, useI18n } from "../lib/i18n";
import { SubjectFacts } from "./case-subject";
import { When } from "./when";

const CASE_STATUS: Record<CaseStatus, MessageKey> = {
  open: "case.status.open",
  awaiting_identity: "case.status.awaiting_identity",
  needs_resident: "case.status.needs_resident",
  closed: "case.status.closed",
};

interface CaseHeaderProps {
  view: CaseView;
  /** What the last action did, announced with the status. */
  notice: string;
  loading: boolean;
  reload: () => void;
}

export function CaseHeader({ view, notice, loading, reload }: CaseHeaderProps) {
  const { t, lang } = useI18n();
  return (
    <>
      <div role="status" id="case-status" class="case-status print-hide">
        <p>
          {t("case.status")}:{" "}
          <strong class={`status status--${view.status}`}>
            {t(CASE_STATUS[view.status] ?? "case.status.open")}
          </strong>
        </p>
        {view.workflow_starting && <p class="case-status__notice">{t("case.workflowStarting")}</p>}
        {notice && <p class="case-status__notice">{notice}</p>}
      </div>
      <dl class="facts">
        <div>
          <dt>{t("case.id")}</dt>
          <dd>{view.code ?? view.id}</dd>
        </div>
        {view.subject && <SubjectFacts subject={view.subject} event={view.event} />}
        <div class="print-hide">
          <dt>{t("case.openedBy")}</dt>
          <dd>{view.opened_by}</dd>
        </div>
        <div>
          <dt>{t("case.openedAt")}</dt>
          <dd>
            <When at={view.opened_at} lang={lang} />
          </dd>
        </div>
        {view.closed_at && (
          <div>
            <dt>{t("case.closedAt")}</dt>
            <dd>
              <When at={view.closed_at} lang={lang} />
            </dd>
          </div>
        )}
      </dl>
      <div class="case-actions print-hide">
        <button type="button" class="button button--secondary" onClick={reload} disabled={loading}>
          {t("case.refresh")}
        </button>
        <button type="button" class="button button--secondary" onClick={() => window.print()}>
          {t("case.print.button")}
        </button>
      </div>
    </>
  );
}

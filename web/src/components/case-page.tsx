import { useEffect, useRef, useState } from "preact/hooks";
import type { Me } from "../lib/auth";
import { useCase } from "../lib/cases";
import { type ApiError, asApiError, request, withLang } from "../lib/http";
import { useI18n } from "../lib/i18n";
import type { Act } from "./case-forms";
import { CaseHeader } from "./case-header";
import { CaseExplained, CaseIdentity } from "./case-identity";
import { CaseRemaining, CaseSteps } from "./case-steps";
import { CaseThread } from "./case-thread";
import { CaseTimeline } from "./case-timeline";
import { CaseVerifications } from "./case-verifications";
import { Alert, Loading } from "./feedback";

interface CasePageProps {
  caseId: string;
  me: Me | null;
  token: string | null;
  /** True while a kept sign-in is being restored. */
  restoring: boolean;
  backHref: string;
  onBack: () => void;
}

/** One case as staff see it (GET /cases/{caseId}), with the signed-in department's part to decide. */
export function CasePage({ caseId, me, token, restoring, backHref, onBack }: CasePageProps) {
  const { t, lang } = useI18n();
  const { data, error: loadError, loading, reload } = useCase(caseId, token);
  const [actionError, setActionError] = useState<ApiError | string | null>(null);
  const [notice, setNotice] = useState("");
  const heading = useRef<HTMLHeadingElement>(null);
  const focusedFor = useRef<string | null>(null);
  const focusAfterLoad = useRef<string | null>(null);

  // Focus: the case heading when a case is first shown, the acted-on step after an action.
  useEffect(() => {
    if (!data) return;
    if (focusedFor.current !== data.id) {
      focusedFor.current = data.id;
      heading.current?.focus();
    } else if (focusAfterLoad.current) {
      const target = document.getElementById(focusAfterLoad.current) ?? heading.current;
      target?.focus();
    }
    focusAfterLoad.current = null;
  }, [data]);

  const act: Act = async (path, body, done, focusAfter, idempotencyKey) => {
    setActionError(null);
    setNotice("");
    let failed: ApiError | null = null;
    try {
      const headers = idempotencyKey ? { "Idempotency-Key": idempotencyKey } : undefined;
      await request(withLang(path, lang), { method: "POST", body, token, headers });
      setNotice(t(done));
    } catch (e) {
      failed = asApiError(e);
      setActionError(failed.status === 409 ? failed.message || t("case.error.conflict") : failed);
    }
    focusAfterLoad.current = (typeof focusAfter === "function" ? focusAfter(failed) : focusAfter) ?? null;
    reload();
    return failed;
  };

  const back = (
    <a
      class="back-link print-hide"
      href={backHref}
      onClick={(event) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        onBack();
      }}
    >
      {t("case.back")}
    </a>
  );

  if (!token || !me) {
    return (
      <section class="case" aria-labelledby="case-heading">
        {back}
        <h2 id="case-heading">{t("case.title")}</h2>
        {restoring ? <Loading /> : <p>{t("case.signInFirst")}</p>}
      </section>
    );
  }

  return (
    <section class="case" aria-labelledby="case-heading">
      {back}
      {data && (
        <p class="print-only print-title">
          {t("app.name")} — {t("case.print.title")}
        </p>
      )}
      <h2 id="case-heading" ref={heading} tabIndex={-1}>
        {data ? t("case.heading", { event: data.event_name }) : t("case.title")}
      </h2>
      <div class="print-hide">
        <Alert error={actionError ?? loadError} />
      </div>
      {!data && !loadError && <Loading />}
      {data && (
        <>
          <CaseHeader view={data} notice={notice} loading={loading} reload={reload} />

          <CaseIdentity view={data} me={me} act={act} />

          <CaseExplained explained={data.explained} />

          <CaseSteps steps={data.steps} me={me} act={act} />

          <CaseRemaining remaining={data.remaining} />

          <div class="print-hide">
            <CaseThread view={data} me={me} act={act} />

            <CaseVerifications view={data} me={me} act={act} />

            <CaseTimeline timeline={data.timeline} />
          </div>
        </>
      )}
    </section>
  );
}

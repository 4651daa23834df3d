import { useState } from "preact/hooks";
import { mount } from "../components/app";
import { ChecklistItemView } from "../components/checklist";
import { Alert } from "../components/feedback";
import { type FieldErrors, fieldErrorsOf } from "../components/forms";
import { GuideForm } from "../components/guide-form";
import type { Session } from "../components/sign-in";
import { StaffPage, useWorkspace } from "../components/staff-nav";
import { type ApiError, asApiError, request, withLang } from "../lib/http";
import type { GuideNavigation, GuideRequest } from "../lib/guide";
import { useI18n } from "../lib/i18n";
import "../styles/base.css";
import "../styles/guide.css";

/** Intake navigation for staff: the guide's answers give each department's procedures, checks and explanations. */
function StaffGuide() {
  const { t, lang } = useI18n();
  const [session, setSession] = useState<Session | null>(null);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [alert, setAlert] = useState<ApiError | null>(null);
  const [nav, setNav] = useState<GuideNavigation | null>(null);

  const submit = async (body: GuideRequest) => {
    if (!session) return;
    setBusy(true);
    try {
      setNav(await request<GuideNavigation>(withLang("/staff/guide/navigation", lang), { method: "POST", body, token: session.token }));
      setErrors({});
      setAlert(null);
    } catch (e) {
      const error = asApiError(e);
      setErrors(fieldErrorsOf(error, (head) => (head === "answers" ? 2 : 1)));
      setAlert(error);
    } finally {
      setBusy(false);
    }
  };

  let index = 0;
  return (
    <StaffPage title="staffguide.title" section="guide" onSession={setSession}>
      {session && session.me.role !== "staff" && <p>{t("staff.inbox.staffOnly")}</p>}
      {session?.me.role === "staff" && (
        <>
          <Alert error={alert} />
          <GuideForm busy={busy} errors={errors} submitLabel={t("staffguide.submit")} onSubmit={submit} />
        </>
      )}
      {nav && (
        <section aria-labelledby="nav-heading">
          <h2 id="nav-heading">{nav.event.name}</h2>
          {nav.one_stop_departments.length > 0 && <OneStopDepartments ids={nav.one_stop_departments} />}
          {nav.steps.map((step) => (
            <section key={step.department} aria-labelledby={`nav-${step.department}`}>
              <h3 id={`nav-${step.department}`}>
                {step.name} ({step.place.counter})
              </h3>
              {step.check.length > 0 && (
                <>
                  <p>{t("staffguide.check")}</p>
                  <ul>
                    {step.check.map((c, i) => (
                      <li key={i}>{c}</li>
                    ))}
                  </ul>
                </>
              )}
              {step.explain.length > 0 && (
                <>
                  <p>{t("staffguide.explain")}</p>
                  <ul>
                    {step.explain.map((c, i) => (
                      <li key={i}>{c}</li>
                    ))}
                  </ul>
                </>
              )}
              <ol class="cards checklist">
                {step.items.map((item) => (
                  <ChecklistItemView key={item.procedure_id} item={item} index={index++} />
                ))}
              </ol>
            </section>
          ))}
          {nav.elsewhere.length > 0 && (
            <section aria-labelledby="nav-elsewhere">
              <h3 id="nav-elsewhere">{t("staffguide.elsewhere")}</h3>
              <ol class="cards checklist">
                {nav.elsewhere.map((item) => (
                  <ChecklistItemView key={item.procedure_id} item={item} index={index++} />
                ))}
              </ol>
            </section>
          )}
        </section>
      )}
    </StaffPage>
  );
}

/** The departments a one-stop case would involve, by name (never their ids). */
function OneStopDepartments({ ids }: { ids: string[] }) {
  const { t } = useI18n();
  const { departmentName } = useWorkspace();
  return <p>{t("staffguide.oneStop", { departments: ids.map(departmentName).join(t("staffnav.separator")) })}</p>;
}

mount(StaffGuide);

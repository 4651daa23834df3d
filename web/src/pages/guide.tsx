import { useState } from "preact/hooks";
import { Page, mount } from "../components/app";
import { ChecklistItemView } from "../components/checklist";
import { Alert } from "../components/feedback";
import { type FieldErrors, fieldErrorsOf } from "../components/forms";
import { GuideForm } from "../components/guide-form";
import { type ApiError, asApiError, request, withLang } from "../lib/http";
import type { GuideChecklist, GuideRequest } from "../lib/guide";
import { useI18n } from "../lib/i18n";
import "../styles/base.css";
import "../styles/guide.css";

/** The resident's procedure guide: a few questions about a life event, then a printable checklist and an .ics. */
function Guide() {
  const { t, lang } = useI18n();
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [alert, setAlert] = useState<ApiError | string | null>(null);
  const [sent, setSent] = useState<GuideRequest | null>(null);
  const [listed, setListed] = useState<GuideChecklist | null>(null);

  const submit = async (body: GuideRequest) => {
    setBusy(true);
    setAlert(null);
    try {
      const result = await request<GuideChecklist>(withLang("/guide/checklist", lang), { method: "POST", body });
      setErrors({});
      setSent(body);
      setListed(result);
      requestAnimationFrame(() => document.getElementById("guide-result")?.focus());
    } catch (e) {
      const error = asApiError(e);
      setErrors(fieldErrorsOf(error, (head) => (head === "answers" ? 2 : 1)));
      setAlert(error);
    } finally {
      setBusy(false);
    }
  };

  const downloadIcs = async () => {
    if (!sent) return;
    const response = await fetch(withLang("/guide/checklist.ics", lang), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(sent),
    });
    if (!response.ok) {
      setAlert(t("error.network"));
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = `madoguchi-${sent.event}.ics`;
    link.click();
    URL.revokeObjectURL(url);
  };

  return (
    <Page title="guide.title">
      <p class="no-print">{t("guide.intro")}</p>
      <div class="no-print">
        <Alert error={alert} />
        <GuideForm busy={busy} errors={errors} submitLabel={t("guide.form.submit")} onSubmit={submit} />
      </div>
      {listed && (
        <section id="guide-result" tabIndex={-1} aria-labelledby="guide-result-heading" class="guide-result">
          <h2 id="guide-result-heading">
            {t("guide.result.title", { event: listed.event.name, count: listed.items.length })}
          </h2>
          <p class="no-print guide-actions">
            <button type="button" class="button" onClick={() => window.print()}>
              {t("guide.result.print")}
            </button>{" "}
            <button type="button" class="button button--secondary" onClick={downloadIcs}>
              {t("guide.result.ics")}
            </button>
          </p>
          {listed.event.one_stop && (
            <p class="note">
              {t("guide.result.oneStop")} <a href="/preregister/">{t("guide.result.preregister")}</a>
            </p>
          )}
          <ol class="cards checklist">
            {listed.items.map((item, i) => (
              <ChecklistItemView key={item.procedure_id} item={item} index={i} />
            ))}
          </ol>
          <p class="note">{t("guide.result.note")}</p>
        </section>
      )}
    </Page>
  );
}

mount(Guide);

/** The front counter opens a resident's pre-registered case by its number: typed, or scanned from their QR code. */
import { useState } from "preact/hooks";
import type { CaseSummary, CaseView } from "../lib/cases";
import { formatTokyoDate } from "../lib/format";
import { ApiError, asApiError, request, withLang } from "../lib/http";
import { useI18n } from "../lib/i18n";
import { Alert } from "./feedback";
import { Field, controlProps } from "./forms";
import { QrScanner } from "./qr-scanner";

const INPUT = "case-find-code";

/** "MADOGUCHI-CASE:ab cd-2345" (a scanner, or a resident reading it out) -> "ABCD2345". */
export const caseCodeOf = (text: string): string =>
  text
    .replace(/^MADOGUCHI-CASE:/i, "")
    .replace(/[\s-]/g, "")
    .toUpperCase();

export function FindCase({ token, onFound }: { token: string; onFound: (caseId: string) => void }) {
  const { t, lang } = useI18n();
  const [code, setCode] = useState("");
  const [invalid, setInvalid] = useState<string | undefined>(undefined);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);

  const open = async (text: string) => {
    const cleaned = caseCodeOf(text);
    setCode(cleaned);
    setError(null);
    if (!/^[0-9A-Z]{8}$/.test(cleaned)) {
      setInvalid(t("case.find.invalid"));
      document.getElementById(INPUT)?.focus();
      return;
    }
    setInvalid(undefined);
    setBusy(true);
    try {
      const path = withLang(`/cases?code=${encodeURIComponent(cleaned)}`, lang);
      onFound((await request<CaseView>(path, { token })).id);
    } catch (e) {
      const refused = asApiError(e);
      setError(refused.status === 404 ? t("case.find.notFound") : refused);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="case-find-heading">
      <h2 id="case-find-heading">{t("case.find.heading")}</h2>
      <Alert error={error} />
      <form
        class="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void open(code);
        }}
      >
        <Field id={INPUT} label={t("case.find.label")} hint={t("case.find.hint")} error={invalid}>
          <input
            type="text"
            autoComplete="off"
            spellcheck={false}
            {...controlProps(INPUT, t("case.find.hint"), invalid)}
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
          />
        </Field>
        <button type="submit" class="button" disabled={busy}>
          {t("case.find.submit")}
        </button>
      </form>
      <QrScanner onCode={(text) => void open(text)} />
    </section>
  );
}

/** An inbox row's "whose case": the person's name and the event's date, so a clerk tells cases apart. */
export function CaseSummaryText({ summary }: { summary: CaseSummary | null | undefined }) {
  const { lang } = useI18n();
  if (!summary?.person_name) return null;
  return (
    <>
      {summary.person_name}
      {summary.event_date && (
        <>
          {" "}
          (<time dateTime={summary.event_date}>{formatTokyoDate(new Date(summary.event_date), lang)}</time>)
        </>
      )}
    </>
  );
}

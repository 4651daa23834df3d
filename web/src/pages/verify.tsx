/**
 * /verify/: anyone holding a printed certificate (a bank clerk, an employer) checks it by its issue number and
 * verification code. The QR code on the paper opens this page with both filled in (?number=…&code=…) and checks
 * at once. The answer names the kind, day, office and whether it still stands; never the person.
 */
import { useEffect, useState } from "preact/hooks";
import { mount, Page } from "../components/app";
import { ErrorSummary } from "../components/application-form";
import { Alert, Loading } from "../components/feedback";
import { controlProps, Field } from "../components/forms";
import { formatTokyoDate } from "../lib/format";
import { ApiError, asApiError, request, withLang } from "../lib/http";
import { type Lang, useI18n } from "../lib/i18n";

interface CertificateCheck {
  issue_number: string;
  kind: string;
  title: string;
  issued_on: string;
  issued_on_wareki: string;
  office: string;
  channel: string;
  status: "valid" | "revoked";
  revoked_on: string | null;
}

const dayOf = (iso: string, lang: Lang): string =>
  formatTokyoDate(new Date(`${iso}T00:00:00+09:00`), lang);

function Result({ found }: { found: CertificateCheck }) {
  const { t, lang } = useI18n();
  const japanese = lang === "ja" || lang === "ja-easy";
  const revoked = found.status === "revoked";
  return (
    <section aria-labelledby="verify-result" class={revoked ? "confirm-panel" : "panel"}>
      <h2 id="verify-result">{revoked ? t("verify.revoked") : t("verify.genuine")}</h2>
      <dl class="summary-list">
        <div class="summary-list__row">
          <dt class="summary-list__key">{t("verify.number")}</dt>
          <dd class="summary-list__value">{found.issue_number}</dd>
        </div>
        <div class="summary-list__row">
          <dt class="summary-list__key">{t("verify.kind")}</dt>
          <dd class="summary-list__value" lang="ja">
            {found.title}
          </dd>
        </div>
        <div class="summary-list__row">
          <dt class="summary-list__key">{t("verify.issuedOn")}</dt>
          <dd class="summary-list__value">
            {japanese ? found.issued_on_wareki : dayOf(found.issued_on, lang)}
          </dd>
        </div>
        <div class="summary-list__row">
          <dt class="summary-list__key">{t("verify.office")}</dt>
          <dd class="summary-list__value">{found.office}</dd>
        </div>
        <div class="summary-list__row">
          <dt class="summary-list__key">{t("verify.status")}</dt>
          <dd class="summary-list__value" id="verify-status">
            {revoked
              ? t("verify.status.revoked", { date: found.revoked_on ? dayOf(found.revoked_on, lang) : "" })
              : t("verify.status.valid")}
          </dd>
        </div>
      </dl>
    </section>
  );
}

function Verify() {
  const { t, lang } = useI18n();
  const params = new URLSearchParams(location.search);
  const [number, setNumber] = useState(params.get("number") ?? "");
  const [code, setCode] = useState(params.get("code") ?? "");
  const [missing, setMissing] = useState<{ number?: string; code?: string }>({});
  const [found, setFound] = useState<CertificateCheck | null>(null);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);

  const check = async (n: string, c: string) => {
    const empty = { number: n.trim() ? undefined : t("verify.required"), code: c.trim() ? undefined : t("verify.required") };
    setMissing(empty);
    setFound(null);
    setError(null);
    if (empty.number || empty.code) return;
    setBusy(true);
    try {
      const path = `/certificates/${encodeURIComponent(n.trim().toUpperCase())}?code=${encodeURIComponent(c.trim())}`;
      setFound(await request<CertificateCheck>(withLang(path, lang)));
    } catch (failure) {
      const apiError = asApiError(failure);
      setError(apiError.status === 404 ? t("verify.notFound") : apiError);
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    if (number && code) void check(number, code); // opened from the certificate's QR code
  }, [lang]);

  const problems = [
    ...(missing.number ? [{ target: "verify-number", text: `${t("verify.number")}: ${missing.number}` }] : []),
    ...(missing.code ? [{ target: "verify-code", text: `${t("verify.code")}: ${missing.code}` }] : []),
  ];
  return (
    <Page title="verify.title">
      <ErrorSummary problems={problems} />
      <p>{t("verify.intro")}</p>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void check(number, code);
        }}
      >
        <Field id="verify-number" label={t("verify.number")} hint={t("verify.number.hint")} error={missing.number}>
          <input
            {...controlProps("verify-number", t("verify.number.hint"), missing.number)}
            name="number"
            autoComplete="off"
            autoCapitalize="characters"
            spellcheck={false}
            value={number}
            onInput={(e) => setNumber(e.currentTarget.value)}
          />
        </Field>
        <Field id="verify-code" label={t("verify.code")} hint={t("verify.code.hint")} error={missing.code}>
          <input
            {...controlProps("verify-code", t("verify.code.hint"), missing.code)}
            name="code"
            autoComplete="off"
            autoCapitalize="characters"
            spellcheck={false}
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
          />
        </Field>
        <button class="button" type="submit" disabled={busy}>
          {t("verify.submit")}
        </button>
      </form>
      {busy && <Loading />}
      <Alert error={error} />
      {found && <Result found={found} />}
      <p class="notice">{t("verify.privacy")}</p>
    </Page>
  );
}

mount(Verify);

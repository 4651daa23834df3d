import type { ApiError } from "../lib/http";
import { useI18n } from "../lib/i18n";

/** Live region for errors; always rendered so screen readers announce changes. */
export function Alert({ error }: { error: ApiError | string | null }) {
  const { t } = useI18n();
  const text = error === null ? "" : typeof error === "string" ? error : error.message || t("error.network");
  return (
    <div role="alert" class={text ? "alert" : "alert alert--empty"}>
      {text}
    </div>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p role="status" class="loading">
      {t("loading")}
    </p>
  );
}

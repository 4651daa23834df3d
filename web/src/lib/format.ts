import { HTML_LANG, type Lang, type Translate } from "./i18n";

/** Fee in integer yen: "300円" in Japanese, the locale's yen format elsewhere, "free" for 0. */
export function formatFee(yen: number, lang: Lang, t: Translate): string {
  if (yen === 0) return t("fee.free");
  if (lang === "ja" || lang === "ja-easy") return `${yen.toLocaleString("ja-JP")}円`;
  return new Intl.NumberFormat(HTML_LANG[lang], { style: "currency", currency: "JPY" }).format(yen);
}

const TOKYO = "Asia/Tokyo";

export function formatTokyoTime(date: Date, lang: Lang): string {
  return new Intl.DateTimeFormat(HTML_LANG[lang], {
    timeZone: TOKYO,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(date);
}

export function formatTokyoDate(date: Date, lang: Lang): string {
  return new Intl.DateTimeFormat(HTML_LANG[lang], {
    timeZone: TOKYO,
    year: "numeric",
    month: "long",
    day: "numeric",
    weekday: "short",
  }).format(date);
}

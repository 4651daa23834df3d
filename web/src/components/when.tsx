import { formatTokyoDate, formatTokyoTime } from "../lib/format";
import type { Lang } from "../lib/i18n";

/** A moment as a <time> in Tokyo time and the page's language; unparseable text is shown as it came. */
export function When({ at, lang }: { at: string; lang: Lang }) {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return <>{at}</>;
  return (
    <time dateTime={at}>
      {formatTokyoDate(date, lang)} {formatTokyoTime(date, lang)}
    </time>
  );
}

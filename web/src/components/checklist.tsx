import type { GuideChecklistItem } from "../lib/guide";
import { formatFee, formatTokyoDate } from "../lib/format";
import { useI18n } from "../lib/i18n";

const dateOf = (iso: string) => new Date(`${iso}T00:00:00+09:00`);

/** One procedure of a checklist: when, where, what to bring, and whether it can be done online or at a kiosk. */
export function ChecklistItemView({ item, index }: { item: GuideChecklistItem; index: number }) {
  const { t, lang } = useI18n();
  const headingId = `guide-item-${index}`;
  const where = [item.place.name, item.place.counter].filter(Boolean).join(" ");
  return (
    <li class="card checklist-item" aria-labelledby={headingId}>
      <h3 id={headingId} class="card__title">
        {item.name}
      </h3>
      <dl class="checklist-item__facts">
        <dt>{t("guide.item.deadline")}</dt>
        <dd>
          {item.deadline
            ? t("guide.item.by", { date: formatTokyoDate(dateOf(item.deadline), lang) })
            : (item.timing ?? t("guide.item.noDeadline"))}
        </dd>
        <dt>{t("guide.item.where")}</dt>
        <dd>{where}</dd>
        {item.documents.length > 0 && (
          <>
            <dt>{t("guide.item.bring")}</dt>
            <dd>
              <ul>
                {item.documents.map((d) => (
                  <li key={d}>{d}</li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {item.fee_yen !== null && (
          <>
            <dt>{t("guide.item.fee")}</dt>
            <dd>{formatFee(item.fee_yen, lang, t)}</dd>
          </>
        )}
      </dl>
      <p class="badges">
        {item.online && <span class="badge badge--online">{t("guide.item.online")}</span>}
        {item.kiosk && <span class="badge badge--kiosk">{t("guide.item.kiosk")}</span>}
        {!item.online && !item.kiosk && <span class="badge badge--counter">{t("guide.item.counterOnly")}</span>}
      </p>
      {item.link && (
        <p class="no-print">
          <a href={item.link}>{t("guide.item.link", { name: item.name })}</a>
        </p>
      )}
    </li>
  );
}

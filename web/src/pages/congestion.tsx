import { Page, mount } from "../components/app";
import { Alert, Loading } from "../components/feedback";
import { formatTokyoTime } from "../lib/format";
import { type MessageKey, useI18n } from "../lib/i18n";
import { type CongestionNow, usePoll } from "../lib/queue";
import "../styles/base.css";
import "../styles/queue.css";

const LEVEL_KEY: Record<string, MessageKey> = {
  low: "congestion.level.low",
  medium: "congestion.level.medium",
  high: "congestion.level.high",
};

function Congestion() {
  const { t, lang } = useI18n();
  const { data, error } = usePoll<CongestionNow>("/congestion/now", 30);
  return (
    <Page title="congestion.title">
      <p>
        <a href={`/congestion/calendar.html?lang=${lang}`}>{t("congestion.calendar")}</a>
        {" ・ "}
        <a href={`/congestion/calendar.ics?lang=${lang}`}>{t("congestion.ics")}</a>
      </p>
      <Alert error={error} />
      {!data && !error && <Loading />}
      {data && (
        <table class="table">
          <caption>
            {t("congestion.now")}
            {data.updated_at && ` — ${t("congestion.updated", { time: formatTokyoTime(new Date(data.updated_at), lang) })}`}
          </caption>
          <thead>
            <tr>
              <th scope="col">{t("queue.ticket.counter")}</th>
              <th scope="col">{t("congestion.level")}</th>
              <th scope="col">{t("congestion.waiting")}</th>
              <th scope="col">{t("congestion.wait")}</th>
              <th scope="col">{t("congestion.calling")}</th>
            </tr>
          </thead>
          <tbody>
            {data.counters.map((c) => (
              <tr key={c.counter}>
                <th scope="row">{c.name}</th>
                <td>
                  <span class={`level level--${c.level}`}>{t(LEVEL_KEY[c.level])}</span>
                </td>
                <td>{t("congestion.people", { count: c.waiting })}</td>
                <td>{t("congestion.minutes", { minutes: c.estimated_wait_minutes })}</td>
                <td>{c.calling.join(", ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

mount(Congestion);

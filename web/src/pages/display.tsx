import { useEffect, useState } from "preact/hooks";
import { Page, mount } from "../components/app";
import { formatTokyoDate, formatTokyoTime } from "../lib/format";
import { useI18n } from "../lib/i18n";
import "../styles/base.css";

function useNow(intervalMs: number): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** Clock in Asia/Tokyo whatever the device's time zone. */
function Clock() {
  const { lang, t } = useI18n();
  const now = useNow(1000);
  return (
    <section class="clock" aria-labelledby="clock-heading">
      <h2 id="clock-heading" class="visually-hidden">
        {t("display.clock")}
      </h2>
      <time dateTime={now.toISOString()}>
        <span class="clock__date">{formatTokyoDate(now, lang)}</span>
        <span class="clock__time">{formatTokyoTime(now, lang)}</span>
      </time>
    </section>
  );
}

function Display() {
  const { t } = useI18n();
  return (
    <Page title="display.title" variant="theme-display">
      <div class="board">
        <section class="now-calling" aria-labelledby="now-calling-heading">
          <h2 id="now-calling-heading">{t("display.nowCalling")}</h2>
          {/* Later: ticket numbers per counter, announced politely. */}
          <div class="now-calling__numbers" aria-live="polite">
            <p class="now-calling__empty">{t("display.empty")}</p>
          </div>
        </section>
        <Clock />
      </div>
    </Page>
  );
}

mount(Display);

import { useEffect, useRef, useState } from "preact/hooks";
import { Page, mount } from "../components/app";
import { formatTokyoDate, formatTokyoTime } from "../lib/format";
import { useI18n } from "../lib/i18n";
import { type CongestionNow, usePoll } from "../lib/queue";
import "../styles/base.css";
import "../styles/queue.css";

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

/** Two-tone chime (ピンポーン) from the Web Audio API: nothing to download. Browsers allow sound only after a
 * first interaction, so the board offers a button to enable it once when it is set up. */
function chime(context: AudioContext): void {
  const start = context.currentTime;
  [
    [880, 0],
    [660, 0.45],
  ].forEach(([frequency, offset]) => {
    const osc = context.createOscillator();
    const gain = context.createGain();
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.4, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.9);
    osc.connect(gain).connect(context.destination);
    osc.start(start + offset);
    osc.stop(start + offset + 1);
  });
}

function Display() {
  const { t } = useI18n();
  // One small read per poll for every counter (GET /congestion/now), however many boards are on.
  const { data } = usePoll<CongestionNow>("/congestion/now", 3);
  const audio = useRef<AudioContext | null>(null);
  const [soundOn, setSoundOn] = useState(false);
  const seen = useRef<Set<string> | null>(null);
  const [announcement, setAnnouncement] = useState("");

  useEffect(() => {
    if (!data) return;
    const current = new Set(data.counters.flatMap((c) => c.calling.map((n) => `${c.counter}:${n}`)));
    if (seen.current !== null) {
      const fresh = data.counters.flatMap((c) =>
        c.calling.filter((n) => !seen.current?.has(`${c.counter}:${n}`)).map((n) => ({ name: c.name, n })),
      );
      if (fresh.length > 0) {
        setAnnouncement(fresh.map((f) => t("display.announce", { counter: f.name, number: f.n })).join(" "));
        if (audio.current) chime(audio.current);
      }
    }
    seen.current = current;
  }, [data]);

  const calling = data?.counters.filter((c) => c.calling.length > 0) ?? [];
  return (
    <Page title="display.title" variant="theme-display">
      <div class="board">
        <section class="now-calling" aria-labelledby="now-calling-heading">
          <h2 id="now-calling-heading">{t("display.nowCalling")}</h2>
          <p class="visually-hidden" aria-live="polite">
            {announcement}
          </p>
          {calling.length === 0 ? (
            <p class="now-calling__empty">{t("display.empty")}</p>
          ) : (
            <ul class="calling-grid">
              {calling.map((c) => (
                <li key={c.counter}>
                  <h3>{c.name}</h3>
                  <ul class="calling-numbers">
                    {c.calling.map((n, i) => (
                      <li key={n}>
                        <span class="n">{n}</span>
                        {c.desks[i] && <span class="d">{t("display.desk", { desk: c.desks[i] ?? "" })}</span>}
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
          )}
        </section>
        <div>
          <Clock />
          {!soundOn && (
            <button
              type="button"
              class="button button--secondary"
              onClick={() => {
                audio.current = new AudioContext();
                chime(audio.current);
                setSoundOn(true);
              }}
            >
              {t("display.chime")}
            </button>
          )}
        </div>
      </div>
    </Page>
  );
}

mount(Display);

import { useEffect, useState } from "preact/hooks";
import { Page, mount } from "../components/app";
import { Alert } from "../components/feedback";
import { type AuthorityConfig, currentUser, loadConfig, signIn } from "../lib/auth";
import { ApiError, asApiError, request, withLang } from "../lib/http";
import { formatTokyoTime } from "../lib/format";
import { useI18n } from "../lib/i18n";
import { lineLinkHref, lineStatus, optInLine } from "../lib/line";
import { type TicketView, usePoll } from "../lib/queue";
import { queryParam } from "../lib/url";
import "../styles/base.css";
import "../styles/queue.css";

const b64url = (buffer: ArrayBuffer | null): string =>
  buffer ? btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "") : "";

const pushSupported = () => "serviceWorker" in navigator && "PushManager" in window;

/** The browser's push subscription for the city's VAPID key, through /push-sw.js. */
async function subscribe(): Promise<{ endpoint: string; keys: { p256dh: string; auth: string } }> {
  const { public_key } = await request<{ public_key: string }>("/notifications/webpush-key");
  const registration = await navigator.serviceWorker.register("/push-sw.js");
  if ((await Notification.requestPermission()) !== "granted") throw new ApiError(0, "permission", "");
  const subscription = await registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: public_key, // base64url, as the Push API accepts it
  });
  return {
    endpoint: subscription.endpoint,
    keys: { p256dh: b64url(subscription.getKey("p256dh")), auth: b64url(subscription.getKey("auth")) },
  };
}

type LineAccount =
  | { state: "loading" | "none" }
  | { state: "signedOut"; settings: AuthorityConfig }
  | { state: "notLinked" | "linked"; settings: AuthorityConfig; token: string };

/** Whether a resident is signed in in this tab and has linked LINE: decides what "Notify me on LINE" does. */
function useLineAccount(lang: string): [LineAccount, (account: LineAccount) => void, ApiError | null] {
  const [account, setAccount] = useState<LineAccount>({ state: "loading" });
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    let stop = false;
    const load = async () => {
      const settings = (await loadConfig()).auth.resident;
      if (!settings) return { state: "none" } as const;
      const user = await currentUser(settings);
      if (!user?.id_token) return { state: "signedOut", settings } as const;
      try {
        const { linked } = await lineStatus(user.id_token, lang);
        return { state: linked ? "linked" : "notLinked", settings, token: user.id_token } as const;
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return { state: "signedOut", settings } as const;
        throw e;
      }
    };
    load().then(
      (found) => !stop && setAccount(found),
      (e: unknown) => {
        if (stop) return;
        setError(asApiError(e));
        setAccount({ state: "none" });
      },
    );
    return () => {
      stop = true;
    };
  }, [lang]);
  return [account, setAccount, error];
}

function NotifyForm({ ticket, onSaved }: { ticket: TicketView; onSaved: () => void }) {
  const { t, lang } = useI18n();
  const [ahead, setAhead] = useState(String(ticket.notify_ahead ?? 3));
  const [line, setLine, lineError] = useLineAccount(lang);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (send: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await send();
      onSaved();
    } catch (e) {
      setError(asApiError(e));
      if (e instanceof ApiError && e.code === "line_not_linked" && line.state === "linked") {
        setLine({ ...line, state: "notLinked" }); // unlinked in another tab meanwhile
      }
    } finally {
      setBusy(false);
    }
  };
  const savePush = (webpush: unknown) =>
    save(() =>
      request(withLang(`/tickets/${encodeURIComponent(ticket.id)}/notifications`, lang), {
        method: "POST",
        body: { ahead: Number(ahead), lang, webpush },
      }),
    );

  const here = location.pathname + location.search;
  const lineHint =
    line.state === "signedOut"
      ? "queue.notify.lineSignedOut"
      : line.state === "notLinked"
        ? "queue.notify.lineNotLinked"
        : "queue.notify.lineLinked";

  return (
    <section class="panel" aria-labelledby="notify-heading">
      <h2 id="notify-heading">{t("queue.notify.heading")}</h2>
      <p>{t("queue.notify.intro")}</p>
      {(ticket.notify_line || ticket.notify_webpush) && (
        <p role="status">
          {t("queue.notify.done", {
            line: t(ticket.notify_line ? "queue.yes" : "queue.no"),
            push: t(ticket.notify_webpush ? "queue.yes" : "queue.no"),
          })}
        </p>
      )}
      <Alert error={error ?? lineError} />
      <div class="field">
        <label for="ahead">{t("queue.notify.ahead")}</label>
        <select id="ahead" value={ahead} onChange={(e) => setAhead((e.target as HTMLSelectElement).value)}>
          {[1, 2, 3, 5, 10].map((n) => (
            <option key={n} value={String(n)}>
              {t("congestion.people", { count: n })}
            </option>
          ))}
        </select>
      </div>
      {line.state !== "none" && (
        <div class="field">
          {line.state !== "loading" && <p id="line-hint">{t(lineHint)}</p>}
          {line.state === "notLinked" ? (
            <a class="button" href={lineLinkHref(lang, here)} aria-describedby="line-hint">
              {t("queue.notify.lineSubmit")}
            </a>
          ) : (
            <button
              type="button"
              class="button"
              aria-describedby={line.state === "loading" ? undefined : "line-hint"}
              disabled={busy || line.state === "loading"}
              onClick={() => {
                if (line.state === "signedOut") {
                  setBusy(true);
                  signIn(line.settings, lang).catch((e: unknown) => {
                    setError(asApiError(e));
                    setBusy(false);
                  });
                } else if (line.state === "linked") {
                  save(() => optInLine(line.token, lang, ticket.id, Number(ahead)));
                }
              }}
            >
              {t("queue.notify.lineSubmit")}
            </button>
          )}
        </div>
      )}
      <p>
        {pushSupported() ? (
          <button type="button" class="button button--secondary" disabled={busy}
            onClick={() => subscribe().then(savePush, () => setError(t("queue.notify.pushUnsupported")))}>
            {t("queue.notify.push")}
          </button>
        ) : (
          t("queue.notify.pushUnsupported")
        )}
      </p>
    </section>
  );
}

function TicketPage() {
  const { t, lang } = useI18n();
  const id = queryParam("id");
  const { data: ticket, error, reload } = usePoll<TicketView>(id ? `/tickets/${encodeURIComponent(id)}` : null, 15);
  if (!id) {
    return (
      <Page title="queue.ticket.title">
        <p>{t("queue.ticket.missing")}</p>
      </Page>
    );
  }
  const live = ticket && ["waiting", "called", "absent"].includes(ticket.state);
  return (
    <Page title="queue.ticket.title">
      <Alert error={error} />
      {ticket && (
        <section class="panel" aria-labelledby="ticket-heading">
          <h2 id="ticket-heading" class="visually-hidden">{t("queue.ticket.number")}</h2>
          <dl>
            <dt>{t("queue.ticket.number")}</dt>
            <dd>
              <p class="ticket-number">{ticket.number}</p>
            </dd>
            <dt>{t("queue.ticket.counter")}</dt>
            <dd>{ticket.counter_name}</dd>
            <dt>{t("queue.ticket.service")}</dt>
            <dd>{ticket.service_name}</dd>
          </dl>
          <div aria-live="polite">
            {ticket.state === "waiting" && (
              <p class="ticket-state">
                {t("queue.ticket.ahead", { count: ticket.ahead ?? 0 })}
                <br />
                {t("queue.ticket.wait", { minutes: ticket.estimated_wait_minutes ?? 0 })}
              </p>
            )}
            {ticket.state === "called" && (
              <p class="ticket-state ticket-state--called">{t("queue.ticket.state.called", { desk: ticket.desk ?? "" })}</p>
            )}
            {ticket.state === "absent" && (
              <p class="ticket-state">
                {t("queue.ticket.state.absent", {
                  time: ticket.absent_until ? formatTokyoTime(new Date(ticket.absent_until), lang) : "",
                })}
              </p>
            )}
            {ticket.state === "done" && <p class="ticket-state">{t("queue.ticket.state.done")}</p>}
            {ticket.state === "cancelled" && <p class="ticket-state">{t("queue.ticket.state.cancelled")}</p>}
            {ticket.state === "transferred" && (
              <p class="ticket-state">
                {t("queue.ticket.state.transferred")}{" "}
                {ticket.transferred_to && (
                  <a href={`/ticket/?id=${encodeURIComponent(ticket.transferred_to)}`}>{t("queue.ticket.follow")}</a>
                )}
              </p>
            )}
          </div>
        </section>
      )}
      {ticket && live && <NotifyForm ticket={ticket} onSaved={reload} />}
    </Page>
  );
}

mount(TicketPage);

import { useEffect, useRef } from "preact/hooks";
import type { Channel, ProcedureDetail as Detail, ProcedureSummary } from "../lib/procedures";
import { useApi } from "../lib/http";
import { formatFee } from "../lib/format";
import { type MessageKey, useI18n } from "../lib/i18n";
import { Alert, Loading } from "./feedback";

const CHANNEL_LABEL: Record<Channel, MessageKey> = {
  online: "channel.online",
  kiosk: "channel.kiosk",
  counter: "channel.counter",
};
const CHANNEL_ORDER: Channel[] = ["online", "kiosk", "counter"];

export function ChannelBadges({ channels }: { channels: Channel[] }) {
  const { t } = useI18n();
  const counterOnly = channels.length === 1 && channels[0] === "counter";
  const shown = CHANNEL_ORDER.filter((c) => channels.includes(c));
  return (
    <ul class="badges" aria-label={t("procedure.channels")}>
      {counterOnly ? (
        <li class="badge badge--counter">{t("channel.counterOnly")}</li>
      ) : (
        shown.map((c) => (
          <li key={c} class={`badge badge--${c}`}>
            {t(CHANNEL_LABEL[c])}
          </li>
        ))
      )}
    </ul>
  );
}

/** Department and fee as a description list. */
export function ProcedureFacts({ procedure }: { procedure: ProcedureSummary }) {
  const { lang, t } = useI18n();
  return (
    <dl class="facts">
      <div>
        <dt>{t("procedure.department")}</dt>
        <dd>{procedure.department.name}</dd>
      </div>
      <div>
        <dt>{t("procedure.fee")}</dt>
        <dd>{formatFee(procedure.fee_yen, lang, t)}</dd>
      </div>
    </dl>
  );
}

interface CardProps {
  procedure: ProcedureSummary;
  href: string;
  onOpen: (id: string) => void;
}

/** One catalogue entry; the name links to its detail view. */
export function ProcedureCard({ procedure, href, onOpen }: CardProps) {
  return (
    <li class="card">
      <h3 class="card__title">
        <a
          id={`procedure-${procedure.id}`}
          href={href}
          onClick={(event) => {
            if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
            event.preventDefault();
            onOpen(procedure.id);
          }}
        >
          {procedure.name}
        </a>
      </h3>
      <p class="card__summary">{procedure.summary}</p>
      <ProcedureFacts procedure={procedure} />
      <ChannelBadges channels={procedure.channels} />
    </li>
  );
}

interface DetailProps {
  id: string;
  onBack: () => void;
  /** When given the back control is a link (portal); otherwise a button (kiosk). */
  backHref?: string;
}

/** Full procedure: what to bring and where to go. Takes focus when shown. */
export function ProcedureDetailView({ id, onBack, backHref }: DetailProps) {
  const { t } = useI18n();
  const { data, error, loading } = useApi<Detail>(`/procedures/${encodeURIComponent(id)}`);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [data?.id]);

  const back = backHref ? (
    <a
      class="back-link"
      href={backHref}
      onClick={(event) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        onBack();
      }}
    >
      {t("detail.back")}
    </a>
  ) : (
    <button type="button" class="button button--secondary back-link" onClick={onBack}>
      {t("detail.back")}
    </button>
  );

  return (
    <section class="detail" aria-labelledby={data ? "detail-heading" : undefined}>
      {back}
      <Alert error={error} />
      {loading && !data && <Loading />}
      {data && (
        <>
          <h2 id="detail-heading" ref={heading} tabIndex={-1}>
            {data.name}
          </h2>
          <p>{data.summary}</p>
          <ProcedureFacts procedure={data} />
          <ChannelBadges channels={data.channels} />
          <h3>{t("detail.documents")}</h3>
          {data.documents.length > 0 ? (
            <ul class="documents">
              {data.documents.map((doc) => (
                <li key={doc}>{doc}</li>
              ))}
            </ul>
          ) : (
            <p>{t("detail.noDocuments")}</p>
          )}
          <h3>{t("detail.where")}</h3>
          <p>{data.where}</p>
          {data.deadline && (
            <>
              <h3>{t("detail.deadline")}</h3>
              <p>{data.deadline}</p>
            </>
          )}
          {data.online_receipt && (
            <>
              <h3>{t("detail.online")}</h3>
              <p>{data.online_receipt.note}</p>
              {data.online_receipt.signed_service_url && (
                <p>
                  <a href={data.online_receipt.signed_service_url} rel="noopener">
                    {t("detail.signedService")}
                  </a>
                </p>
              )}
            </>
          )}
        </>
      )}
    </section>
  );
}

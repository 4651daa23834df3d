import { useState } from "preact/hooks";
import { Page, mount } from "../components/app";
import { type DeviceSession, DeviceSignIn } from "../components/device-sign-in";
import { Alert, Loading } from "../components/feedback";
import { ProcedureDetailView } from "../components/procedure";
import type { ProcedureList } from "../lib/procedures";
import { useApi } from "../lib/http";
import { formatFee } from "../lib/format";
import { useI18n } from "../lib/i18n";
import "../styles/base.css";

function Kiosk() {
  const { lang, t } = useI18n();
  const { data, error, loading } = useApi<ProcedureList>("/procedures");
  const [selected, setSelected] = useState<string | null>(null);
  // The kiosk's own enrolment (components/device-sign-in.tsx): nothing is offered until it is enrolled.
  const [device, setDevice] = useState<DeviceSession | null>(null);
  const procedures = data?.procedures.filter((p) => p.channels.includes("kiosk")) ?? [];

  return (
    <Page title="kiosk.title" variant="theme-kiosk">
      <DeviceSignIn kind="kiosk" onSession={setDevice} />
      {!device ? null : selected ? (
        <ProcedureDetailView id={selected} onBack={() => setSelected(null)} />
      ) : (
        <>
          <p class="lead">{t("kiosk.intro")}</p>
          <Alert error={error} />
          {loading && !data && <Loading />}
          {data && procedures.length === 0 && <p>{t("kiosk.empty")}</p>}
          {procedures.length > 0 && (
            <ul class="tiles">
              {procedures.map((p) => (
                <li key={p.id}>
                  <button type="button" class="tile" onClick={() => setSelected(p.id)}>
                    <span class="tile__name">{p.name}</span>
                    <span class="tile__fee">{formatFee(p.fee_yen, lang, t)}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Page>
  );
}

mount(Kiosk);

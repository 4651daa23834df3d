/** /signin/: where the sign-in page sends the user back (the app clients' only callback URL). */
import { useEffect, useState } from "preact/hooks";
import { mount, Page } from "../components/app";
import { completeSignIn, loadConfig } from "../lib/auth";
import { useI18n } from "../lib/i18n";

function SignInCallback() {
  const { t } = useI18n();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    loadConfig()
      .then(completeSignIn)
      .then((returnTo) => location.replace(returnTo))
      .catch(() => setFailed(true));
  }, []);
  return (
    <Page title="signin.title">
      {failed ? (
        <div role="alert">
          <p>{t("signin.failed")}</p>
          <p>
            <a href="/">{t("signin.backHome")}</a>
          </p>
        </div>
      ) : (
        <p role="status">{t("signin.completing")}</p>
      )}
    </Page>
  );
}

mount(SignInCallback);

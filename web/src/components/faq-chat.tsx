import { useState } from "preact/hooks";
import { asApiError, request, withLang } from "../lib/http";
import type { FaqChatReply } from "../lib/faq";
import { useI18n } from "../lib/i18n";
import { Alert } from "./feedback";

interface Turn {
  question: string;
  reply: FaqChatReply;
}

/** The FAQ chat: ask in any language; the answer, related questions, or how to reach a person. */
export function FaqChat() {
  const { t, lang } = useI18n();
  const [text, setText] = useState("");
  const [turns, setTurns] = useState<Turn[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const send = async (e: Event) => {
    e.preventDefault();
    const question = text.trim();
    if (!question || busy) {
      setError(question ? null : t("faq.chat.empty"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const reply = await request<FaqChatReply>(withLang("/faq/chat", lang), {
        method: "POST",
        body: { message: question },
      });
      setTurns([...turns, { question, reply }]);
      setText("");
    } catch (err) {
      setError(asApiError(err).message || t("error.network"));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="chat" aria-labelledby="faq-chat-heading">
      <h2 id="faq-chat-heading">{t("faq.chat.title")}</h2>
      <p>{t("faq.chat.privacy")}</p>
      <ol class="chat-log" aria-live="polite">
        {turns.map((turn, i) => (
          <li key={i}>
            <p class="chat-you">
              {t("faq.chat.you")}: {turn.question}
            </p>
            {turn.reply.answer ? (
              <div>
                <p>{turn.reply.answer.answer}</p>
                {turn.reply.answer.link && (
                  <a href={turn.reply.answer.link}>{t("faq.moreInfo", { q: turn.reply.answer.question })}</a>
                )}
              </div>
            ) : (
              <div>
                <p>{t("faq.chat.noAnswer")}</p>
                {turn.reply.contact && (
                  <div class="faq-contact">
                    {/* In a language the phone line does not speak, the way to a person in that language comes first. */}
                    {!turn.reply.contact.phone_in_your_language && <p>{turn.reply.contact.interpreting}</p>}
                    <p>
                      {turn.reply.contact.counter}
                      <br />
                      {turn.reply.contact.hours}
                      <br />
                      {t(turn.reply.contact.phone_in_your_language ? "faq.chat.phone" : "faq.chat.phoneJapanese")}:{" "}
                      <a href={`tel:${turn.reply.contact.phone}`}>{turn.reply.contact.phone}</a>
                    </p>
                    {turn.reply.contact.phone_in_your_language && <p>{turn.reply.contact.interpreting}</p>}
                  </div>
                )}
              </div>
            )}
            {turn.reply.related.length > 0 && (
              <>
                <p>{t("faq.chat.related")}</p>
                <ul>
                  {turn.reply.related.map((r) => (
                    <li key={r.id}>
                      <a href={`/faq/?q=${encodeURIComponent(r.question)}`}>{r.question}</a>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </li>
        ))}
      </ol>
      <form onSubmit={send} noValidate>
        <Alert error={error} />
        <label for="faq-chat-input">{t("faq.chat.label")}</label>
        <textarea id="faq-chat-input" rows={2} maxLength={500} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <p>
          <button type="submit" class="button" disabled={busy}>
            {t("faq.chat.send")}
          </button>
        </p>
      </form>
    </section>
  );
}

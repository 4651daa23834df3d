"""Languages of resident-facing text and the API's translated messages."""

from __future__ import annotations

from typing import Literal, get_args

Lang = Literal["ja", "en", "pt", "vi", "zh", "ja-easy"]
LANGS: tuple[Lang, ...] = get_args(Lang)
DEFAULT_LANG: Lang = "ja"

# A text in several languages; "ja" is always present, others fall back to English, then Japanese.
Localized = dict[str, str]


def pick(text: Localized, lang: Lang) -> str:
    for candidate in (lang, "ja" if lang == "ja-easy" else "en", "ja"):
        if text.get(candidate):
            return text[candidate]
    return next(iter(text.values()), "")


def negotiate(query_lang: str | None, accept_language: str | None) -> Lang:
    """`?lang=` wins, then the first Accept-Language entry we speak; anything else falls back to ja."""
    if query_lang:
        found = _match(query_lang)
        if found:
            return found
    if accept_language:
        weighted = []
        for part in accept_language.split(","):
            tag, _, q = part.strip().partition(";q=")
            try:
                weight = float(q) if q else 1.0
            except ValueError:
                weight = 0.0
            weighted.append((weight, tag.strip()))
        for _, tag in sorted(weighted, key=lambda wt: -wt[0]):
            found = _match(tag)
            if found:
                return found
    return DEFAULT_LANG


def _match(tag: str) -> Lang | None:
    tag = tag.lower()
    if tag in ("ja-easy", "ja-x-easy", "easy-ja"):
        return "ja-easy"
    primary = tag.split("-")[0]
    for lang in LANGS:
        if primary == lang:
            return lang
    return None


MESSAGES: dict[str, Localized] = {
    "bad_request": {
        "ja": "リクエストの内容が正しくありません。",
        "ja-easy": "おくった ないようが ただしく ありません。",
        "en": "The request is not valid.",
        "pt": "A solicitação não é válida.",
        "vi": "Yêu cầu không hợp lệ.",
        "zh": "请求内容无效。",
    },
    "validation_error": {
        "ja": "入力内容を確認してください。",
        "ja-easy": "かいた ないようを もう いちど みて ください。",
        "en": "Please check what you entered.",
        "pt": "Verifique os dados informados.",
        "vi": "Vui lòng kiểm tra thông tin đã nhập.",
        "zh": "请检查您输入的内容。",
    },
    "field_invalid": {
        "ja": "この項目の値が正しくありません。",
        "ja-easy": "ここに かいた ものが ただしく ありません。",
        "en": "This value is not valid.",
        "pt": "Este valor não é válido.",
        "vi": "Giá trị này không hợp lệ.",
        "zh": "此项的值无效。",
    },
    "field_missing": {
        "ja": "この項目は必須です。",
        "ja-easy": "ここは かならず かいて ください。",
        "en": "This field is required.",
        "pt": "Este campo é obrigatório.",
        "vi": "Trường này là bắt buộc.",
        "zh": "此项为必填项。",
    },
    "task_not_pending": {
        "ja": "このタスクはすでに処理されています。",
        "ja-easy": "この しごとは もう おわって います。",
        "en": "This task has already been decided.",
        "pt": "Esta tarefa já foi decidida.",
        "vi": "Việc này đã được xử lý.",
        "zh": "此任务已被处理。",
    },
    "not_allowed_for_residents": {
        "ja": "この項目は職員が記録します。",
        "ja-easy": "ここは しょくいんが かきます。",
        "en": "Staff record this, not residents.",
        "pt": "Isto é registrado pelos funcionários.",
        "vi": "Mục này do nhân viên ghi lại.",
        "zh": "此项由职员记录。",
    },
    "nothing_applies": {
        "ja": "この回答では、手続きが必要な課がありません。",
        "ja-easy": "この こたえでは、てつづきが ありません。",
        "en": "With these answers, no department has anything to do.",
        "pt": "Com essas respostas, nenhum departamento tem procedimentos.",
        "vi": "Với các câu trả lời này, không có phòng nào cần xử lý.",
        "zh": "根据这些回答，没有需要办理手续的部门。",
    },
    "unauthorized": {
        "ja": "ログインが必要です。",
        "ja-easy": "ログイン して ください。",
        "en": "Please sign in.",
        "pt": "Faça login.",
        "vi": "Vui lòng đăng nhập.",
        "zh": "请先登录。",
    },
    "forbidden": {
        "ja": "この操作を行う権限がありません。",
        "ja-easy": "あなたは これを する ことが できません。",
        "en": "You are not allowed to do this.",
        "pt": "Você não tem permissão para fazer isso.",
        "vi": "Bạn không có quyền thực hiện thao tác này.",
        "zh": "您无权执行此操作。",
    },
    "not_found": {
        "ja": "お探しの情報は見つかりませんでした。",
        "ja-easy": "さがして いる ものが ありません。",
        "en": "We could not find what you are looking for.",
        "pt": "Não encontramos o que você procura.",
        "vi": "Không tìm thấy thông tin bạn cần.",
        "zh": "未找到您要查找的内容。",
    },
    "conflict": {
        "ja": "ほかの操作と競合したため、処理できませんでした。",
        "ja-easy": "ほかの ひとの そうさと ぶつかりました。もう いちど して ください。",
        "en": "This conflicts with another change. Please try again.",
        "pt": "Isso entra em conflito com outra alteração. Tente novamente.",
        "vi": "Thao tác này xung đột với một thay đổi khác. Vui lòng thử lại.",
        "zh": "与其他操作冲突，请重试。",
    },
    "too_many_requests": {
        "ja": "アクセスが集中しています。しばらくしてからもう一度お試しください。",
        "ja-easy": "いま とても こんで います。すこし まってから もう いちど して ください。",
        "en": "Too many requests. Please try again shortly.",
        "pt": "Muitas solicitações. Tente novamente em instantes.",
        "vi": "Quá nhiều yêu cầu. Vui lòng thử lại sau giây lát.",
        "zh": "请求过多，请稍后重试。",
    },
    "unsupported_media_type": {
        "ja": "JSON 形式（Content-Type: application/json）で送ってください。",
        "ja-easy": "JSON の かたちで おくって ください。",
        "en": "Please send JSON (Content-Type: application/json).",
        "pt": "Envie JSON (Content-Type: application/json).",
        "vi": "Vui lòng gửi JSON (Content-Type: application/json).",
        "zh": "请以 JSON 格式发送（Content-Type: application/json）。",
    },
    "method_not_allowed": {
        "ja": "この操作はできません。",
        "ja-easy": "この そうさは できません。",
        "en": "This method is not allowed here.",
        "pt": "Este método não é permitido aqui.",
        "vi": "Phương thức này không được phép.",
        "zh": "不允许此操作。",
    },
    "slot_taken": {
        "ja": "この時間枠は、ほかの方が先に予約しました。別の時間枠を選んでください。",
        "ja-easy": "この じかんは ほかの ひとが さきに よやく しました。ほかの じかんを えらんで ください。",
        "en": "Someone else has just booked this time slot. Please choose another one.",
        "pt": "Outra pessoa acabou de reservar este horário. Escolha outro.",
        "vi": "Người khác vừa đặt khung giờ này. Vui lòng chọn khung giờ khác.",
        "zh": "该时段已被他人预约，请选择其他时段。",
    },
    "reservation_not_held": {
        "ja": "この予約は仮押さえ中ではありません（期限切れ・支払済み・取消済み）。",
        "ja-easy": "この よやくは もう はらえません（じかんぎれ、はらいずみ、とりけし）。",
        "en": "This reservation can no longer be paid: its hold expired, or it was paid or cancelled.",
        "pt": "Esta reserva não pode mais ser paga: expirou, já foi paga ou foi cancelada.",
        "vi": "Không thể thanh toán đặt chỗ này nữa: đã hết hạn giữ chỗ, đã thanh toán hoặc đã hủy.",
        "zh": "此预约已无法支付：暂留已过期、已支付或已取消。",
    },
    "reservation_not_cancellable": {
        "ja": "この予約は取り消せません（利用開始後、または取消済み）。",
        "ja-easy": "この よやくは とりけせません。",
        "en": "This reservation can no longer be cancelled (it has started, or was cancelled already).",
        "pt": "Esta reserva não pode mais ser cancelada.",
        "vi": "Không thể hủy đặt chỗ này nữa.",
        "zh": "此预约已无法取消。",
    },
    "slot_unavailable": {
        "ja": "この時間枠は予約できません（休館日・営業時間外・過去・受付期間外）。",
        "ja-easy": "この じかんは よやく できません。",
        "en": "This time slot cannot be booked (closed day, outside opening hours, in the past or too far ahead).",
        "pt": "Este horário não pode ser reservado (fechado, fora do horário, no passado ou muito adiante).",
        "vi": "Không thể đặt khung giờ này (ngày nghỉ, ngoài giờ mở cửa, đã qua hoặc quá xa).",
        "zh": "该时段无法预约（休馆日、开放时间外、已过去或超出受理期间）。",
    },
    "lottery_period": {
        "ja": "この月は抽選で決めます。抽選のお申し込みをしてください。",
        "ja-easy": "この つきは くじびきで きめます。くじびきに もうしこんで ください。",
        "en": "This month is allocated by lottery. Please apply for the lottery instead.",
        "pt": "Este mês é sorteado. Inscreva-se no sorteio.",
        "vi": "Tháng này được phân bổ bằng bốc thăm. Vui lòng đăng ký bốc thăm.",
        "zh": "本月通过抽签分配，请申请抽签。",
    },
    "lottery_closed": {
        "ja": "抽選の受付期間ではありません。",
        "ja-easy": "いまは くじびきの もうしこみが できません。",
        "en": "Lottery applications are not open now.",
        "pt": "As inscrições para o sorteio não estão abertas.",
        "vi": "Hiện không nhận đăng ký bốc thăm.",
        "zh": "当前不在抽签受理期间。",
    },
    "lottery_already_applied": {
        "ja": "この時間枠にはすでに申し込んでいます（1団体1枠1件）。",
        "ja-easy": "この じかんには もう もうしこんで います。",
        "en": "Your group has already applied for this slot (one application per group and slot).",
        "pt": "Seu grupo já se inscreveu para este horário.",
        "vi": "Nhóm của bạn đã đăng ký khung giờ này.",
        "zh": "您的团体已申请此时段（每个团体每个时段限一次）。",
    },
    "lottery_already_drawn": {
        "ja": "この月の抽選はすでに行われました。",
        "ja-easy": "この つきの くじびきは もう おわりました。",
        "en": "The lottery for this month has been drawn already.",
        "pt": "O sorteio deste mês já foi realizado.",
        "vi": "Đã bốc thăm cho tháng này.",
        "zh": "本月已抽签。",
    },
    "lottery_not_drawable": {
        "ja": "受付期間が終わるまで抽選できません。",
        "ja-easy": "もうしこみが おわるまで くじびきは できません。",
        "en": "The draw can only take place after applications close.",
        "pt": "O sorteio só pode ocorrer após o fim das inscrições.",
        "vi": "Chỉ có thể bốc thăm sau khi hết hạn đăng ký.",
        "zh": "受理期间结束后才能抽签。",
    },
    "no_approved_reduction": {
        "ja": "承認された減免がありません。",
        "ja-easy": "みとめられた わりびきが ありません。",
        "en": "You have no approved fee reduction.",
        "pt": "Você não tem redução de taxa aprovada.",
        "vi": "Bạn chưa có miễn giảm phí được duyệt.",
        "zh": "您没有已批准的费用减免。",
    },
    "webhook_signature_invalid": {
        "ja": "署名を確認できませんでした。",
        "ja-easy": "しょめいが ただしく ありません。",
        "en": "The signature could not be verified.",
        "pt": "A assinatura não pôde ser verificada.",
        "vi": "Không thể xác minh chữ ký.",
        "zh": "无法验证签名。",
    },
    "duplicate_slot": {
        "ja": "同じ時間枠が重複しています。",
        "ja-easy": "おなじ じかんが 2かい あります。",
        "en": "The same slot appears twice.",
        "pt": "O mesmo horário aparece duas vezes.",
        "vi": "Cùng một khung giờ xuất hiện hai lần.",
        "zh": "同一时段重复。",
    },
    "over_capacity": {
        "ja": "定員を超えています。",
        "ja-easy": "ていいんより おおいです。",
        "en": "This is more people than the facility holds.",
        "pt": "Excede a capacidade da instalação.",
        "vi": "Vượt quá sức chứa.",
        "zh": "超过定员。",
    },
    "date_in_past": {
        "ja": "過去の日付は指定できません。",
        "ja-easy": "すぎた ひは えらべません。",
        "en": "The date is in the past.",
        "pt": "A data já passou.",
        "vi": "Ngày đã qua.",
        "zh": "日期已过。",
    },
    "not_a_lottery_facility": {
        "ja": "この施設は抽選の対象ではありません。",
        "ja-easy": "この しせつは くじびきでは ありません。",
        "en": "This facility is not allocated by lottery.",
        "pt": "Esta instalação não usa sorteio.",
        "vi": "Cơ sở này không dùng bốc thăm.",
        "zh": "该设施不采用抽签。",
    },
    "internal_error": {
        "ja": "システムでエラーが発生しました。時間をおいてもう一度お試しください。",
        "ja-easy": "システムの ぐあいが わるいです。あとで もう いちど して ください。",
        "en": "Something went wrong on our side. Please try again later.",
        "pt": "Ocorreu um erro do nosso lado. Tente novamente mais tarde.",
        "vi": "Đã xảy ra lỗi hệ thống. Vui lòng thử lại sau.",
        "zh": "系统出现错误，请稍后重试。",
    },
    "queue_ticket_state": {
        "ja": "この整理券は今の状態ではその操作ができません。",
        "ja-easy": "この ばんごうは いま その そうさが できません。",
        "en": "This ticket cannot do that in its current state.",
        "pt": "Esta senha não permite essa ação no estado atual.",
        "vi": "Phiếu này không thể thực hiện thao tác đó ở trạng thái hiện tại.",
        "zh": "此号码在当前状态下无法进行该操作。",
    },
    "queue_grace_over": {
        "ja": "不在の猶予時間が過ぎています。新しい整理券をお取りください。",
        "ja-easy": "まてる じかんが すぎました。あたらしい ばんごうを とって ください。",
        "en": "The grace period for an absent ticket is over. Please take a new ticket.",
        "pt": "O prazo de tolerância terminou. Retire uma nova senha.",
        "vi": "Đã hết thời gian chờ cho phiếu vắng mặt. Vui lòng lấy phiếu mới.",
        "zh": "不在的保留时间已过，请重新取号。",
    },
    "queue_unknown_service": {
        "ja": "この窓口では扱っていない手続きです。",
        "ja-easy": "この まどぐちでは できない てつづきです。",
        "en": "This counter does not offer that service.",
        "pt": "Este balcão não oferece esse serviço.",
        "vi": "Quầy này không có dịch vụ đó.",
        "zh": "此窗口不办理该手续。",
    },
    "queue_unknown_counter": {
        "ja": "その窓口はありません。",
        "ja-easy": "その まどぐちは ありません。",
        "en": "There is no such counter.",
        "pt": "Esse balcão não existe.",
        "vi": "Không có quầy này.",
        "zh": "没有该窗口。",
    },
    "queue_notify_channel": {
        "ja": "LINE のユーザーIDかブラウザの通知のどちらかを指定してください。",
        "ja-easy": "LINE の ID か ブラウザの しらせを えらんで ください。",
        "en": "Give a LINE user ID or a browser push subscription.",
        "pt": "Informe um ID do LINE ou uma inscrição de notificação do navegador.",
        "vi": "Hãy cung cấp ID LINE hoặc đăng ký thông báo của trình duyệt.",
        "zh": "请提供 LINE 用户 ID 或浏览器推送订阅。",
    },
    "queue_push_service": {
        "ja": "このブラウザの通知サービスには対応していません。",
        "ja-easy": "この ブラウザの しらせには たいおう して いません。",
        "en": "This browser's push service is not supported.",
        "pt": "O serviço de notificações deste navegador não é compatível.",
        "vi": "Dịch vụ thông báo của trình duyệt này không được hỗ trợ.",
        "zh": "不支持此浏览器的推送服务。",
    },
    "queue_month_format": {
        "ja": "月は YYYY-MM の形で指定してください（例: 2026-04）。",
        "ja-easy": "つきは 2026-04 の ように かいて ください。",
        "en": "Give the month as YYYY-MM (e.g. 2026-04).",
        "pt": "Informe o mês como AAAA-MM (ex.: 2026-04).",
        "vi": "Nhập tháng theo dạng YYYY-MM (ví dụ 2026-04).",
        "zh": "请按 YYYY-MM 格式填写月份（例如 2026-04）。",
    },
}


def message(code: str, lang: Lang) -> str:
    """The message for an error code or a field reason; unknown field reasons read as "not valid"."""
    return pick(MESSAGES.get(code) or MESSAGES["field_invalid"], lang)

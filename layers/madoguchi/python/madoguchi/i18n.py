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

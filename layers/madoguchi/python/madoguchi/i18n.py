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
}


def message(code: str, lang: Lang) -> str:
    return pick(MESSAGES.get(code, MESSAGES["bad_request"]), lang)

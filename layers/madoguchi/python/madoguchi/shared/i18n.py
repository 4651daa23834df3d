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
    # cases: whose case it is
    "date_in_future": {
        "ja": "この日付は、まだ来ていません。日付を確かめてください。",
        "ja-easy": "この ひづけは まだ きていません。ひづけを たしかめて ください。",
        "en": "This date is in the future. Check the date.",
        "pt": "Esta data está no futuro. Verifique a data.",
        "vi": "Ngày này ở tương lai. Vui lòng kiểm tra lại ngày.",
        "zh": "该日期尚未到来。请确认日期。",
    },
    "date_too_old": {
        "ja": "1年以上前の日付です。窓口でご相談ください。",
        "ja-easy": "1ねん いじょう まえの ひづけです。まどぐちで そうだん して ください。",
        "en": "This date is more than a year ago. Please ask at the counter.",
        "pt": "Esta data é de mais de um ano atrás. Consulte o balcão de atendimento.",
        "vi": "Ngày này đã hơn một năm trước. Vui lòng hỏi tại quầy.",
        "zh": "该日期在一年以前。请到窗口咨询。",
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
    # --- applications ---
    "attachment_not_valid": {
        "ja": (
            "添付ファイルの確認が終わっていないか、受け付けられないファイルがあります。"
            "確認後、写真を撮り直してください。"
        ),
        "ja-easy": "てんぷの しゃしんを まだ しらべて いるか、つかえない しゃしんが あります。",
        "en": "An attachment is still being checked or was not accepted. Wait for the check, or take the photo again.",
        "pt": "Um anexo ainda está sendo verificado ou não foi aceito. Aguarde a verificação ou tire a foto novamente.",
        "vi": "Tệp đính kèm đang được kiểm tra hoặc không được chấp nhận. Hãy chờ hoặc chụp lại.",
        "zh": "附件仍在检查中或未被接受。请等待检查或重新拍摄。",
    },
    "application_not_editable": {
        "ja": "この申請は今の状態では変更できません。",
        "ja-easy": "いまは この もうしこみを かえられません。",
        "en": "This application cannot be changed in its current status.",
        "pt": "Este pedido não pode ser alterado no status atual.",
        "vi": "Không thể thay đổi đơn này ở trạng thái hiện tại.",
        "zh": "该申请在当前状态下无法更改。",
    },
    "verification_pending": {
        "ja": "他課への確認がまだ回答されていません。",
        "ja-easy": "ほかの かの へんじを まって います。",
        "en": "An internal verification has not been answered yet.",
        "pt": "Uma verificação interna ainda não foi respondida.",
        "vi": "Yêu cầu xác minh nội bộ chưa được trả lời.",
        "zh": "内部核实尚未答复。",
    },
    "visit_expired": {
        "ja": "カード読み取りの有効時間が過ぎました。もう一度カードを読み取ってください。",
        "ja-easy": "カードを よんだ じかんが すぎました。もう いちど よんで ください。",
        "en": "The card-reader visit has expired. Please read the card again.",
        "pt": "A leitura do cartão expirou. Leia o cartão novamente.",
        "vi": "Phiên đọc thẻ đã hết hạn. Vui lòng đọc lại thẻ.",
        "zh": "读卡已过期，请重新读取。",
    },
    "field_unknown": {
        "ja": "この項目はこの手続にありません。",
        "ja-easy": "この こうもくは ありません。",
        "en": "This field is not part of the form.",
        "pt": "Este campo não faz parte do formulário.",
        "vi": "Trường này không thuộc biểu mẫu.",
        "zh": "该项目不属于此表格。",
    },
    "field_not_applicable": {
        "ja": "この項目は今の選択では入力しません。",
        "ja-easy": "いまの えらびかたでは かきません。",
        "en": "This field does not apply to your other answers.",
        "pt": "Este campo não se aplica às suas outras respostas.",
        "vi": "Trường này không áp dụng với câu trả lời khác.",
        "zh": "根据其他回答，无需填写此项。",
    },
    "field_prefilled": {
        "ja": "市の記録から入力済みの項目は変更できません。違う場合は窓口にご相談ください。",
        "ja-easy": "しの きろくから はいって いるので かえられません。",
        "en": (
            "This field comes from the city’s records and cannot be changed here."
            " If it is wrong, please ask at the counter."
        ),
        "pt": (
            "Este campo vem dos registros da cidade e não pode ser alterado aqui. Se estiver errado, consulte o balcão."
        ),
        "vi": "Trường này lấy từ hồ sơ của thành phố và không thể sửa ở đây. Nếu sai, hãy hỏi tại quầy.",
        "zh": "此项来自市政记录，无法在此更改。如有错误请咨询窗口。",
    },
    "wrong_type": {
        "ja": "入力の形式が正しくありません。",
        "ja-easy": "かきかたが ちがいます。",
        "en": "This value has the wrong type.",
        "pt": "O valor tem o tipo errado.",
        "vi": "Giá trị sai kiểu.",
        "zh": "输入类型不正确。",
    },
    "too_long": {
        "ja": "文字数が多すぎます。",
        "ja-easy": "もじが おおすぎます。",
        "en": "This text is too long.",
        "pt": "Este texto é longo demais.",
        "vi": "Văn bản quá dài.",
        "zh": "文字过长。",
    },
    "phone_invalid": {
        "ja": "電話番号の形式が正しくありません（例：059-354-8111）。",
        "ja-easy": "でんわばんごうが ちがいます（れい：059-354-8111）。",
        "en": "Enter a Japanese phone number, e.g. 059-354-8111.",
        "pt": "Informe um telefone japonês, ex.: 059-354-8111.",
        "vi": "Nhập số điện thoại Nhật Bản, ví dụ 059-354-8111.",
        "zh": "请输入日本电话号码，例如 059-354-8111。",
    },
    "pattern_mismatch": {
        "ja": "決められた形式で入力してください。",
        "ja-easy": "きまった かきかたで かいて ください。",
        "en": "Enter it in the format shown.",
        "pt": "Informe no formato indicado.",
        "vi": "Nhập theo định dạng hướng dẫn.",
        "zh": "请按规定格式输入。",
    },
    "out_of_range": {
        "ja": "入力できる範囲を超えています。",
        "ja-easy": "かける かずを こえて います。",
        "en": "This number is out of the allowed range.",
        "pt": "Este número está fora do intervalo permitido.",
        "vi": "Số này nằm ngoài phạm vi cho phép.",
        "zh": "数字超出允许范围。",
    },
    "choice_invalid": {
        "ja": "選択肢から選んでください。",
        "ja-easy": "えらぶ ものから えらんで ください。",
        "en": "Choose one of the options.",
        "pt": "Escolha uma das opções.",
        "vi": "Hãy chọn một trong các lựa chọn.",
        "zh": "请从选项中选择。",
    },
    "date_invalid": {
        "ja": "日付を正しく入力してください（例：2026-04-01）。",
        "ja-easy": "ひにちを ただしく かいて ください。",
        "en": "Enter a valid date (e.g. 2026-04-01).",
        "pt": "Informe uma data válida (ex.: 2026-04-01).",
        "vi": "Nhập ngày hợp lệ (ví dụ 2026-04-01).",
        "zh": "请输入有效日期（例：2026-04-01）。",
    },
    "date_before_start": {
        "ja": "開始日より前の日付です。",
        "ja-easy": "はじめの ひより まえです。",
        "en": "This date is before the start date.",
        "pt": "Esta data é anterior à data de início.",
        "vi": "Ngày này trước ngày bắt đầu.",
        "zh": "该日期早于开始日期。",
    },
    "attachment_missing": {
        "ja": "必要な添付ファイルがありません。",
        "ja-easy": "ひつような しゃしんが ありません。",
        "en": "A required attachment is missing.",
        "pt": "Falta um anexo obrigatório.",
        "vi": "Thiếu tệp đính kèm bắt buộc.",
        "zh": "缺少必需的附件。",
    },
    "application_mail_subject": {
        "ja": "【四日市市】申請",
        "ja-easy": "【よっかいちし】もうしこみ",
        "en": "[Yokkaichi City] Application",
        "pt": "[Cidade de Yokkaichi] Pedido",
        "vi": "[Thành phố Yokkaichi] Đơn",
        "zh": "【四日市市】申请",
    },
    "application_status_preregistered": {
        "ja": "事前入力を受け付けました。窓口でQRコードを見せてください。",
        "ja-easy": "まえもって かいた ものを うけとりました。まどぐちで QRコードを みせて ください。",
        "en": "Pre-registered: show the QR code at the counter.",
        "pt": "Pré-registrado: mostre o código QR no balcão.",
        "vi": "Đã đăng ký trước: xuất trình mã QR tại quầy.",
        "zh": "已预登记：请在窗口出示二维码。",
    },
    "application_status_awaiting_confirmation": {
        "ja": "窓口で入力した内容の確認をお願いします。",
        "ja-easy": "まどぐちで かいた ないようを たしかめて ください。",
        "en": "Please confirm what staff entered.",
        "pt": "Confirme o que o atendente preencheu.",
        "vi": "Vui lòng xác nhận nội dung nhân viên đã nhập.",
        "zh": "请确认工作人员填写的内容。",
    },
    "application_status_awaiting_payment": {
        "ja": "手数料のお支払いをお待ちしています。",
        "ja-easy": "おかねを はらうのを まって います。",
        "en": "Waiting for the fee payment.",
        "pt": "Aguardando o pagamento da taxa.",
        "vi": "Đang chờ thanh toán lệ phí.",
        "zh": "等待支付手续费。",
    },
    "application_status_received": {
        "ja": "申請を受け付けました。",
        "ja-easy": "もうしこみを うけとりました。",
        "en": "Your application has been received.",
        "pt": "Seu pedido foi recebido.",
        "vi": "Đơn của bạn đã được tiếp nhận.",
        "zh": "已受理您的申请。",
    },
    "application_status_in_review": {
        "ja": "審査中です。",
        "ja-easy": "いま しらべて います。",
        "en": "Your application is in review.",
        "pt": "Seu pedido está em análise.",
        "vi": "Đơn đang được xem xét.",
        "zh": "正在审查。",
    },
    "application_status_returned": {
        "ja": "申請内容の修正をお願いします。理由は申請状況のページでご確認ください。",
        "ja-easy": "なおして ほしい ところが あります。りゆうは ページで みて ください。",
        "en": "Please correct your application; the reason is on the status page.",
        "pt": "Corrija seu pedido; o motivo está na página de status.",
        "vi": "Vui lòng sửa đơn; lý do có trên trang trạng thái.",
        "zh": "请修改申请，原因见状态页面。",
    },
    "application_status_approved": {
        "ja": "申請が承認されました。",
        "ja-easy": "もうしこみが みとめられました。",
        "en": "Your application has been approved.",
        "pt": "Seu pedido foi aprovado.",
        "vi": "Đơn của bạn đã được chấp thuận.",
        "zh": "您的申请已获批准。",
    },
    "application_status_issued": {
        "ja": "証明書を発行しました。",
        "ja-easy": "しょうめいしょを だしました。",
        "en": "The certificate has been issued.",
        "pt": "O atestado foi emitido.",
        "vi": "Giấy chứng nhận đã được cấp.",
        "zh": "证明书已发放。",
    },
    "application_status_rejected": {
        "ja": "申請は受け付けられませんでした。理由は申請状況のページでご確認ください。",
        "ja-easy": "もうしこみは うけとれませんでした。りゆうは ページで みて ください。",
        "en": "Your application was not accepted; the reason is on the status page.",
        "pt": "Seu pedido não foi aceito; o motivo está na página de status.",
        "vi": "Đơn của bạn không được chấp nhận; lý do có trên trang trạng thái.",
        "zh": "您的申请未被受理，原因见状态页面。",
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
        "ja": "ブラウザの通知の登録情報を指定してください。",
        "ja-easy": "ブラウザの しらせの とうろくを おくって ください。",
        "en": "Give a browser push subscription.",
        "pt": "Informe uma inscrição de notificação do navegador.",
        "vi": "Hãy cung cấp đăng ký thông báo của trình duyệt.",
        "zh": "请提供浏览器推送订阅。",
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
    "kiosk_challenge_used": {
        "ja": "この確認はすでに使われています。はじめからやり直してください。",
        "ja-easy": "この かくにんは もう つかわれました。はじめから やりなおして ください。",
        "en": "This card check was already used. Please start again.",
        "pt": "Esta verificação do cartão já foi usada. Comece novamente.",
        "vi": "Lần kiểm tra thẻ này đã được sử dụng. Vui lòng bắt đầu lại.",
        "zh": "此次卡片验证已被使用，请重新开始。",
    },
    "kiosk_challenge_expired": {
        "ja": "時間切れです。カードを入れ直して、はじめからやり直してください。",
        "ja-easy": "じかんぎれです。カードを いれなおして、はじめから やりなおして ください。",
        "en": "Time ran out. Please insert your card again and start over.",
        "pt": "O tempo acabou. Insira o cartão novamente e recomece.",
        "vi": "Đã hết thời gian. Vui lòng đưa thẻ vào lại và bắt đầu lại.",
        "zh": "已超时。请重新插入卡片并重新开始。",
    },
    "kiosk_card_refused": {
        "ja": "このカードの電子証明書を確認できませんでした（有効期限切れ・失効など）。窓口でご相談ください。",
        "ja-easy": "この カードの でんし しょうめいしょを たしかめられません でした。まどぐちで きいて ください。",
        "en": "The card's electronic certificate could not be verified (expired or revoked, for example). "
        "Please ask at the counter.",
        "pt": "Não foi possível verificar o certificado eletrônico do cartão (vencido ou revogado, por exemplo). "
        "Procure o balcão de atendimento.",
        "vi": "Không thể xác minh chứng thư điện tử của thẻ (ví dụ: đã hết hạn hoặc bị thu hồi). "
        "Vui lòng hỏi tại quầy.",
        "zh": "无法验证此卡的电子证书（例如已过期或已失效）。请到窗口咨询。",
    },
    "kiosk_resident_not_matched": {
        "ja": "カードの情報が市の住民記録と一致しません。窓口でご相談ください。",
        "ja-easy": "カードの じょうほうが しの きろくと あいません。まどぐちで きいて ください。",
        "en": "The card's details do not match the city's resident records. Please ask at the counter.",
        "pt": "Os dados do cartão não correspondem ao registro de moradores da cidade. "
        "Procure o balcão de atendimento.",
        "vi": "Thông tin trên thẻ không khớp với hồ sơ cư dân của thành phố. Vui lòng hỏi tại quầy.",
        "zh": "卡片信息与市居民记录不一致。请到窗口咨询。",
    },
    # kiosk: certificate orders paid on the kiosk's card terminal
    "kiosk_not_authenticated": {
        "ja": "マイナンバーカードでの確認が済んでいません。カードを入れて、はじめからやり直してください。",
        "ja-easy": "まだ カードで たしかめて いません。カードを いれて、はじめから やりなおして ください。",
        "en": "Your My Number card has not been checked yet. Please insert your card and start again.",
        "pt": "Seu cartão My Number ainda não foi verificado. Insira o cartão e comece novamente.",
        "vi": "Thẻ My Number của bạn chưa được xác minh. Vui lòng đưa thẻ vào và bắt đầu lại.",
        "zh": "尚未完成个人编号卡验证。请插入卡片并重新开始。",
    },
    "kiosk_session_expired": {
        "ja": "時間切れのため、手続きを終了しました。はじめからやり直してください。",
        "ja-easy": "じかんぎれに なりました。はじめから やりなおして ください。",
        "en": "Your session timed out. Please start again.",
        "pt": "Sua sessão expirou. Comece novamente.",
        "vi": "Phiên làm việc đã hết hạn. Vui lòng bắt đầu lại.",
        "zh": "操作已超时，请重新开始。",
    },
    "kiosk_order_key_reused": {
        "ja": "この申請番号はすでに別の内容で使われています。画面を更新してやり直してください。",
        "ja-easy": "この ばんごうは もう ほかの ちゅうもんに つかわれました。もう いちど して ください。",
        "en": "This request key was already used for a different order. Please start the order again.",
        "pt": "Esta chave de pedido já foi usada para outro pedido. Faça o pedido novamente.",
        "vi": "Mã yêu cầu này đã được dùng cho một đơn khác. Vui lòng đặt lại.",
        "zh": "此请求编号已用于其他申请。请重新申请。",
    },
    "kiosk_no_terminal": {
        "ja": "この端末ではいまカード払いができません。窓口をご利用ください。",
        "ja-easy": "いま この きかいでは カードで はらえません。まどぐちへ きて ください。",
        "en": "Card payment is not available at this kiosk right now. Please go to the counter.",
        "pt": "O pagamento com cartão não está disponível neste terminal agora. Procure o balcão de atendimento.",
        "vi": "Hiện không thể thanh toán bằng thẻ tại máy này. Vui lòng đến quầy.",
        "zh": "此终端目前无法刷卡支付。请到窗口办理。",
    },
    "kiosk_record_unavailable": {
        "ja": "住民記録をいま確認できないため、この端末では交付できません。窓口でご相談ください。",
        "ja-easy": "いま きろくを たしかめられません。まどぐちで きいて ください。",
        "en": "Your resident record cannot be issued at the kiosk right now. Please ask at the counter.",
        "pt": "Seu registro de residente não pode ser emitido no terminal agora. Procure o balcão de atendimento.",
        "vi": "Hiện không thể cấp hồ sơ cư trú của bạn tại máy này. Vui lòng hỏi tại quầy.",
        "zh": "目前无法在终端发放您的居民记录。请到窗口咨询。",
    },
    "kiosk_no_seal_registration": {
        "ja": "印鑑登録がないため、印鑑登録証明書は交付できません。料金はかかっていません。登録は窓口でできます。",
        "ja-easy": "はんこの とうろくが ありません。しょうめいしょは だせません。"
        "おかねは かかって いません。とうろくは まどぐちで できます。",
        "en": "You have no registered seal, so a seal registration certificate cannot be issued. "
        "Nothing was charged. You can register a seal at the counter.",
        "pt": "Você não tem carimbo (inkan) registrado, por isso o certificado de registro não pode ser emitido. "
        "Nada foi cobrado. O registro pode ser feito no balcão de atendimento.",
        "vi": "Bạn chưa đăng ký con dấu nên không thể cấp giấy chứng nhận đăng ký con dấu. "
        "Bạn chưa bị tính phí. Bạn có thể đăng ký con dấu tại quầy.",
        "zh": "您没有登记印章，因此无法发放印章登记证明书。未收取任何费用。印章登记可在窗口办理。",
    },
    "kiosk_no_tax_record": {
        "ja": "その年度の課税の記録がないため、所得課税証明書は交付できません。"
        "料金はかかっていません。窓口でご相談ください。",
        "ja-easy": "その としの ぜいきんの きろくが ありません。しょうめいしょは だせません。"
        "おかねは かかって いません。まどぐちで きいて ください。",
        "en": "There is no tax record of yours for that year, so the income and tax certificate cannot be issued. "
        "Nothing was charged. Please ask at the counter.",
        "pt": "Não há registro de imposto seu para esse ano, por isso o certificado de renda e imposto não pode ser "
        "emitido. Nada foi cobrado. Procure o balcão de atendimento.",
        "vi": "Không có hồ sơ thuế của bạn cho năm đó nên không thể cấp giấy chứng nhận thu nhập và thuế. "
        "Bạn chưa bị tính phí. Vui lòng hỏi tại quầy.",
        "zh": "没有您该年度的课税记录，因此无法发放所得课税证明书。未收取任何费用。请到窗口咨询。",
    },
    "kiosk_no_family_register": {
        "ja": "あなたの戸籍は四日市市にないため、この端末では戸籍証明書を交付できません。料金はかかっていません。"
        "本籍地の市区町村に請求してください（他の市区町村の戸籍の広域交付は窓口だけで、キオスク端末ではできません）。",
        "ja-easy": "あなたの こせきは よっかいちしに ありません。この きかいでは だせません。"
        "おかねは かかって いません。ほんせきの ある しやくしょに たのんで ください。",
        "en": "Your family register (koseki) is not kept by this city, so the kiosk cannot issue it. Nothing was "
        "charged. Please ask the city or town of your registered domicile (honseki); copies of another city's "
        "register are issued only at counters, not at kiosks. Foreign residents have no koseki.",
        "pt": "Seu registro familiar (koseki) não é mantido por esta cidade, por isso o terminal não pode emiti-lo. "
        "Nada foi cobrado. Peça à prefeitura do seu domicílio registrado (honseki); cópias do registro de outra "
        "cidade só são emitidas no balcão, não nos terminais. Estrangeiros não têm koseki.",
        "vi": "Thành phố này không lưu hộ tịch (koseki) của bạn nên máy không thể cấp. Bạn chưa bị tính phí. "
        "Vui lòng yêu cầu tại thành phố, thị trấn nơi có nguyên quán (honseki) của bạn; bản hộ tịch của thành phố "
        "khác chỉ được cấp tại quầy, không cấp tại máy. Người nước ngoài không có koseki.",
        "zh": "本市未保管您的户籍，因此终端无法发放户籍证明书。未收取任何费用。请向本籍所在的市区町村申请"
        "（其他市区町村户籍的广域发放仅在窗口办理，终端不可办理）。外国居民没有户籍。",
    },
    "missing": {
        "ja": "必要な項目がありません。",
        "ja-easy": "ひつような ものが ありません。",
        "en": "This is required.",
        "pt": "Este item é obrigatório.",
        "vi": "Mục này là bắt buộc.",
        "zh": "缺少必填项。",
    },
    "kiosk_unavailable": {
        "ja": "この端末では、いまマイナンバーカードでの手続きができません。窓口をご利用ください。",
        "ja-easy": "いま この きかいでは マイナンバーカードが つかえません。まどぐちへ きて ください。",
        "en": "My Number card services are not available at this kiosk right now. Please go to the counter.",
        "pt": "Os serviços com o cartão My Number não estão disponíveis neste terminal agora. "
        "Procure o balcão de atendimento.",
        "vi": "Hiện không thể dùng thẻ My Number tại máy này. Vui lòng đến quầy.",
        "zh": "此终端目前无法办理个人编号卡业务。请到窗口办理。",
    },
    "not_base64url": {
        "ja": "形式が正しくありません（base64url で送ってください）。",
        "ja-easy": "かたちが ただしく ありません。",
        "en": "Not in the expected format (base64url).",
        "pt": "Formato inválido (esperado base64url).",
        "vi": "Sai định dạng (cần base64url).",
        "zh": "格式不正确（应为 base64url）。",
    },
    # --- applications (issue 13: four-eyes, fees) ---
    "application_resident_must_confirm": {
        "ja": "代理入力は申請者ご本人が自分のアカウントで確認してください。",
        "ja-easy": "しょくいんが かいた ないようは、ほんにんが じぶんの アカウントで たしかめて ください。",
        "en": "Proxy input must be confirmed by the resident, signed in with their own account.",
        "pt": "A entrada feita pelo servidor deve ser confirmada pelo próprio morador, com a sua conta.",
        "vi": "Nội dung nhân viên nhập thay phải được chính người dân xác nhận bằng tài khoản của mình.",
        "zh": "代为输入的内容须由居民本人使用自己的账户确认。",
    },
    "application_four_eyes": {
        "ja": "自分が代理入力した申請は、別の職員が決裁してください。",
        "ja-easy": "じぶんが かいた もうしこみは、ほかの しょくいんが きめて ください。",
        "en": "An application you typed for a resident must be decided by another staff member.",
        "pt": "Um pedido que você digitou para um morador deve ser decidido por outro servidor.",
        "vi": "Đơn bạn đã nhập thay người dân phải do một nhân viên khác quyết định.",
        "zh": "您代为输入的申请须由其他职员审批。",
    },
    "application_fee_unpaid": {
        "ja": "手数料のお支払いが済んでいないため、証明書を発行できません。",
        "ja-easy": "おかねを まだ はらって いないので、しょうめいしょを だせません。",
        "en": "The certificate cannot be issued while its fee is unpaid.",
        "pt": "O certificado não pode ser emitido enquanto a taxa não for paga.",
        "vi": "Không thể cấp giấy chứng nhận khi lệ phí chưa được thanh toán.",
        "zh": "手续费尚未支付，无法发放证明书。",
    },
    # resident flows (issue 16: drafts, step checks, upload reasons, booking and payment e-mails)
    "application_not_deletable": {
        "ja": "削除できるのは下書きだけです。提出した申請は削除できません。",
        "ja-easy": "けせるのは したがきだけです。だした もうしこみは けせません。",
        "en": "Only a draft can be deleted. A submitted application cannot be deleted.",
        "pt": "Só um rascunho pode ser excluído. Um pedido enviado não pode ser excluído.",
        "vi": "Chỉ có thể xóa bản nháp. Không thể xóa đơn đã nộp.",
        "zh": "只能删除草稿。已提交的申请无法删除。",
    },
    "attachment_pending": {
        "ja": "ファイルを確認しています。少し待ってから、もう一度お試しください。",
        "ja-easy": "ファイルを たしかめて います。すこし まってから もういちど して ください。",
        "en": "The file is still being checked. Wait a moment and try again.",
        "pt": "O arquivo ainda está sendo verificado. Aguarde um momento e tente de novo.",
        "vi": "Tệp vẫn đang được kiểm tra. Vui lòng chờ một chút rồi thử lại.",
        "zh": "文件仍在检查中。请稍候再试。",
    },
    "attachment_rejected": {
        "ja": "このファイルは受け付けられませんでした。撮り直してください。",
        "ja-easy": "この ファイルは つかえません。もういちど しゃしんを とって ください。",
        "en": "This file was not accepted. Please take the photo again.",
        "pt": "Este arquivo não foi aceito. Tire a foto novamente.",
        "vi": "Tệp này không được chấp nhận. Vui lòng chụp lại ảnh.",
        "zh": "此文件未被接受。请重新拍摄。",
    },
    "file_too_large": {
        "ja": "ファイルが大きすぎます（10 MB まで）。",
        "ja-easy": "ファイルが おおきすぎます（10 MB まで）。",
        "en": "The file is too large (10 MB at most).",
        "pt": "O arquivo é grande demais (no máximo 10 MB).",
        "vi": "Tệp quá lớn (tối đa 10 MB).",
        "zh": "文件过大（最大 10 MB）。",
    },
    "file_type_mismatch": {
        "ja": "ファイルの中身が種類と合いません。JPEG・PNG の写真か PDF を選んでください。",
        "ja-easy": "この ファイルは つかえません。JPEG か PNG の しゃしん、または PDF を えらんで ください。",
        "en": "The file's content does not match its type. Choose a JPEG or PNG photo or a PDF.",
        "pt": "O conteúdo do arquivo não corresponde ao tipo. Escolha uma foto JPEG ou PNG ou um PDF.",
        "vi": "Nội dung tệp không khớp với loại tệp. Hãy chọn ảnh JPEG, PNG hoặc tệp PDF.",
        "zh": "文件内容与类型不符。请选择 JPEG、PNG 照片或 PDF。",
    },
    "format_mismatch": {
        "ja": "ファイルの中身が種類と合いません。JPEG・PNG の写真か PDF を選んでください。",
        "ja-easy": "この ファイルは つかえません。JPEG か PNG の しゃしん、または PDF を えらんで ください。",
        "en": "The file's content does not match its type. Choose a JPEG or PNG photo or a PDF.",
        "pt": "O conteúdo do arquivo não corresponde ao tipo. Escolha uma foto JPEG ou PNG ou um PDF.",
        "vi": "Nội dung tệp không khớp với loại tệp. Hãy chọn ảnh JPEG, PNG hoặc tệp PDF.",
        "zh": "文件内容与类型不符。请选择 JPEG、PNG 照片或 PDF。",
    },
    "image_too_large": {
        "ja": "写真の画素数が多すぎます。小さめのサイズで撮り直してください。",
        "ja-easy": "しゃしんが おおきすぎます。ちいさい サイズで とりなおして ください。",
        "en": "The photo has too many pixels. Take it again at a smaller size.",
        "pt": "A foto tem pixels demais. Tire-a novamente em tamanho menor.",
        "vi": "Ảnh có quá nhiều điểm ảnh. Vui lòng chụp lại với kích thước nhỏ hơn.",
        "zh": "照片像素过多。请以较小尺寸重新拍摄。",
    },
    "image_undecodable": {
        "ja": "写真を読み取れませんでした。撮り直してください。",
        "ja-easy": "しゃしんが よめません。もういちど とって ください。",
        "en": "The photo could not be read. Please take it again.",
        "pt": "Não foi possível ler a foto. Tire-a novamente.",
        "vi": "Không đọc được ảnh. Vui lòng chụp lại.",
        "zh": "无法读取照片。请重新拍摄。",
    },
    "pdf_truncated": {
        "ja": "PDF が途中で切れています。もう一度保存してから選んでください。",
        "ja-easy": "PDF が こわれて います。もういちど ほぞんしてから えらんで ください。",
        "en": "The PDF is cut off. Save it again and choose it once more.",
        "pt": "O PDF está incompleto. Salve-o novamente e escolha-o outra vez.",
        "vi": "Tệp PDF bị thiếu. Hãy lưu lại rồi chọn lại.",
        "zh": "PDF 不完整。请重新保存后再选择。",
    },
    "pdf_encrypted": {
        "ja": "パスワード付きの PDF は受け付けられません。",
        "ja-easy": "パスワードの ある PDF は つかえません。",
        "en": "A password-protected PDF cannot be accepted.",
        "pt": "Um PDF protegido por senha não pode ser aceito.",
        "vi": "Không chấp nhận tệp PDF có mật khẩu.",
        "zh": "不接受带密码的 PDF。",
    },
    "pdf_too_complex": {
        "ja": "この PDF は複雑すぎて確認できません。写真で撮って添付してください。",
        "ja-easy": "この PDF は たしかめられません。しゃしんを とって つけて ください。",
        "en": "This PDF is too complex to check. Attach a photo of it instead.",
        "pt": "Este PDF é complexo demais para verificar. Anexe uma foto dele.",
        "vi": "Tệp PDF này quá phức tạp để kiểm tra. Hãy đính kèm ảnh chụp thay thế.",
        "zh": "此 PDF 过于复杂，无法检查。请改为附上照片。",
    },
    "pdf_active_content": {
        "ja": "スクリプトなどを含む PDF は受け付けられません。写真で撮って添付してください。",
        "ja-easy": "この PDF は つかえません。しゃしんを とって つけて ください。",
        "en": "A PDF with scripts or other active content cannot be accepted. Attach a photo instead.",
        "pt": "Um PDF com scripts ou conteúdo ativo não pode ser aceito. Anexe uma foto.",
        "vi": "Không chấp nhận PDF có mã lệnh. Hãy đính kèm ảnh chụp thay thế.",
        "zh": "不接受含脚本等活动内容的 PDF。请改为附上照片。",
    },
    "pdf_undecodable": {
        "ja": "PDF を読み取れませんでした。写真で撮って添付してください。",
        "ja-easy": "PDF が よめません。しゃしんを とって つけて ください。",
        "en": "The PDF could not be read. Attach a photo instead.",
        "pt": "Não foi possível ler o PDF. Anexe uma foto.",
        "vi": "Không đọc được tệp PDF. Hãy đính kèm ảnh chụp thay thế.",
        "zh": "无法读取 PDF。请改为附上照片。",
    },
    "reservation_mail_subject": {
        "ja": "【四日市市】施設予約",
        "ja-easy": "【よっかいちし】しせつの よやく",
        "en": "[Yokkaichi City] Facility booking",
        "pt": "[Cidade de Yokkaichi] Reserva de instalação",
        "vi": "[Thành phố Yokkaichi] Đặt chỗ cơ sở",
        "zh": "【四日市市】设施预约",
    },
    "reservation_mail_confirmed": {
        "ja": "予約が確定し、お支払い（{yen} 円）を受け付けました。領収書は予約のページにあります。",
        "ja-easy": (
            "よやくが きまりました。おかね（{yen} えん）を うけとりました。"
            "りょうしゅうしょは よやくの ページに あります。"
        ),
        "en": "Your booking is confirmed and your payment of ¥{yen} was received. The receipt is on the booking page.",
        "pt": "Sua reserva está confirmada e o pagamento de ¥{yen} foi recebido. O recibo está na página da reserva.",
        "vi": "Đặt chỗ đã được xác nhận và đã nhận thanh toán ¥{yen}. Biên lai có trên trang đặt chỗ.",
        "zh": "您的预约已确定，已收到付款 {yen} 日元。收据在预约页面上。",
    },
    "reservation_mail_confirmed_free": {
        "ja": "予約が確定しました。",
        "ja-easy": "よやくが きまりました。",
        "en": "Your booking is confirmed.",
        "pt": "Sua reserva está confirmada.",
        "vi": "Đặt chỗ của bạn đã được xác nhận.",
        "zh": "您的预约已确定。",
    },
    "reservation_mail_cancelled": {
        "ja": "予約を取り消しました。",
        "ja-easy": "よやくを とりけしました。",
        "en": "Your booking was cancelled.",
        "pt": "Sua reserva foi cancelada.",
        "vi": "Đặt chỗ của bạn đã bị hủy.",
        "zh": "您的预约已取消。",
    },
    "reservation_mail_refund": {
        "ja": "{yen} 円をお支払いのカードに返金します。カード会社により、反映まで数日かかることがあります。",
        "ja-easy": "{yen} えんを カードに かえします。カードに でるまで なんにちか かかる ことが あります。",
        "en": "¥{yen} will be refunded to the card you paid with. Your card company may take a few days to show it.",
        "pt": "¥{yen} serão reembolsados no cartão usado. A operadora pode levar alguns dias para mostrar.",
        "vi": "¥{yen} sẽ được hoàn vào thẻ bạn đã dùng. Công ty thẻ có thể mất vài ngày để hiển thị.",
        "zh": "将向您付款的银行卡退款 {yen} 日元。发卡公司可能需要几天才能显示。",
    },
    "reservation_mail_no_refund": {
        "ja": "利用日の前日を過ぎた取消しのため、返金はありません。",
        "ja-easy": "つかう ひの まえの ひを すぎたので、おかねは かえせません。",
        "en": "No refund: the cancellation came after the day before the day of use.",
        "pt": "Sem reembolso: o cancelamento foi feito depois da véspera do dia de uso.",
        "vi": "Không hoàn tiền: việc hủy được thực hiện sau ngày trước ngày sử dụng.",
        "zh": "因在使用日前一天之后取消，不予退款。",
    },
    "reservation_mail_closure": {
        "ja": "市の都合により施設が休館となったため、予約を取り消しました。全額を返金します。",
        "ja-easy": "しせつが やすみに なったので、よやくを とりけしました。おかねは ぜんぶ かえします。",
        "en": "The facility is closed on that day by the city, so your booking was cancelled; it is refunded in full.",
        "pt": "A instalação fechará nesse dia por decisão da prefeitura; a reserva foi cancelada e será reembolsada.",
        "vi": "Cơ sở đóng cửa vào ngày đó theo quyết định của thành phố, nên đặt chỗ đã bị hủy và hoàn tiền toàn bộ.",
        "zh": "因市政原因该设施当天闭馆，您的预约已取消并全额退款。",
    },
    "application_mail_paid": {
        "ja": "手数料 {yen} 円のお支払いを受け付けました。領収書は申請のページにあります。",
        "ja-easy": "てすうりょう {yen} えんを うけとりました。りょうしゅうしょは もうしこみの ページに あります。",
        "en": "Your fee of ¥{yen} was received. The receipt is on the application page.",
        "pt": "A taxa de ¥{yen} foi recebida. O recibo está na página do pedido.",
        "vi": "Đã nhận lệ phí ¥{yen}. Biên lai có trên trang đơn.",
        "zh": "已收到手续费 {yen} 日元。收据在申请页面上。",
    },
    "application_mail_refund": {
        "ja": "{yen} 円をお支払いのカードに返金します。",
        "ja-easy": "{yen} えんを カードに かえします。",
        "en": "¥{yen} will be refunded to the card you paid with.",
        "pt": "¥{yen} serão reembolsados no cartão usado.",
        "vi": "¥{yen} sẽ được hoàn vào thẻ bạn đã dùng.",
        "zh": "将向您付款的银行卡退款 {yen} 日元。",
    },
    # --- reservations (issue 13: per-account limits, return URLs) ---
    "reservation_hold_limit": {
        "ja": "この施設で支払い前の仮予約が上限に達しています。支払うか取り消してから、もう一度お試しください。",
        "ja-easy": (
            "この しせつの かりよやくが おおすぎます。おかねを はらうか とりけしてから もういちど して ください。"
        ),
        "en": "You already have as many unpaid holds at this facility as allowed. Pay or cancel one, then try again.",
        "pt": (
            "Você já tem o máximo de reservas provisórias não pagas neste local. Pague ou cancele uma e tente de novo."
        ),
        "vi": (
            "Bạn đã có số lượt giữ chỗ chưa thanh toán tối đa tại cơ sở này. "
            "Hãy thanh toán hoặc hủy một lượt rồi thử lại."
        ),
        "zh": "您在该设施未付款的暂留预约已达上限。请先付款或取消后再试。",
    },
    "reservation_open_limit": {
        "ja": "この施設で今後の予約が上限に達しています。利用が済むか取り消してから、新しく予約してください。",
        "ja-easy": (
            "この しせつの よやくが おおすぎます。つかいおわるか とりけしてから あたらしく よやく して ください。"
        ),
        "en": "You already have as many upcoming reservations at this facility as allowed.",
        "pt": "Você já tem o máximo de reservas futuras permitidas neste local.",
        "vi": "Bạn đã có số lượt đặt chỗ sắp tới tối đa cho phép tại cơ sở này.",
        "zh": "您在该设施的未来预约已达上限。",
    },
    "lottery_entry_limit": {
        "ja": "この抽選への申込みは上限に達しています。",
        "ja-easy": "この ちゅうせんには もう もうしこめません。もうしこみの かずが いっぱいです。",
        "en": "You have made as many entries in this lottery round as allowed.",
        "pt": "Você já fez o máximo de inscrições permitidas neste sorteio.",
        "vi": "Bạn đã đăng ký tối đa số lượt cho phép trong đợt bốc thăm này.",
        "zh": "您在本轮抽签中的申请已达上限。",
    },
    "not_this_site": {
        "ja": "このサイトのページを指定してください。",
        "ja-easy": "この サイトの ページを えらんで ください。",
        "en": "Give a page of this site.",
        "pt": "Informe uma página deste site.",
        "vi": "Vui lòng chỉ định một trang của trang web này.",
        "zh": "请指定本网站的页面。",
    },
    # line: LINE Login linking of a resident's LINE account (messaging context)
    "line_link_state": {
        "ja": "この LINE 連携の手続きは無効か期限切れです。何も連携していません。もう一度はじめからお試しください。",
        "ja-easy": (
            "この LINE の てつづきは もう つかえません。なにも つないで いません。はじめから もういちど して ください。"
        ),
        "en": "This LINE linking request is not valid or has expired. Nothing was linked. Please start again.",
        "pt": "Este pedido de vinculação ao LINE não é válido ou expirou. Nada foi vinculado. Comece de novo.",
        "vi": "Yêu cầu liên kết LINE này không hợp lệ hoặc đã hết hạn. Chưa liên kết gì. Vui lòng bắt đầu lại.",
        "zh": "此 LINE 关联请求无效或已过期，未进行任何关联。请重新开始。",
    },
    "line_link_refused": {
        "ja": "LINE でアカウントを確認できませんでした。何も連携していません。もう一度はじめからお試しください。",
        "ja-easy": (
            "LINE で あなたの アカウントを たしかめられませんでした。"
            "なにも つないで いません。もういちど して ください。"
        ),
        "en": "LINE did not confirm your account. Nothing was linked. Please start again.",
        "pt": "O LINE não confirmou a sua conta. Nada foi vinculado. Comece de novo.",
        "vi": "LINE không xác nhận được tài khoản của bạn. Chưa liên kết gì. Vui lòng bắt đầu lại.",
        "zh": "LINE 未能确认您的账号，未进行任何关联。请重新开始。",
    },
    "line_unavailable": {
        "ja": "LINE に接続できません。何も連携していません。しばらくしてからお試しください。",
        "ja-easy": (
            "いま LINE に つながりません。なにも つないで いません。すこし まってから もういちど して ください。"
        ),
        "en": "LINE cannot be reached right now. Nothing was linked. Please try again later.",
        "pt": "Não é possível acessar o LINE agora. Nada foi vinculado. Tente novamente mais tarde.",
        "vi": "Hiện không thể kết nối với LINE. Chưa liên kết gì. Vui lòng thử lại sau.",
        "zh": "目前无法连接 LINE，未进行任何关联。请稍后再试。",
    },
    # line opt-in: a ticket's LINE notices go only to the LINE account the signed-in resident linked
    "line_not_linked": {
        "ja": "LINE アカウントがまだ連携されていません。先に LINE を連携してから、もう一度お試しください。",
        "ja-easy": "まだ LINE を つないで いません。さきに LINE を つないでから、もういちど して ください。",
        "en": "Your LINE account is not linked yet. Please link LINE first, then try again.",
        "pt": "A sua conta do LINE ainda não está vinculada. Vincule o LINE primeiro e tente de novo.",
        "vi": "Tài khoản LINE của bạn chưa được liên kết. Vui lòng liên kết LINE trước rồi thử lại.",
        "zh": "您的 LINE 账号尚未关联。请先关联 LINE，然后再试。",
    },
    # devices
    "device_not_enrolled": {
        "ja": "この端末は登録されていないか、登録が取り消されています。窓口管理の職員に連絡してください。",
        "ja-easy": "この きかいは つかえません（とうろく されて いません）。しょくいんに しらせて ください。",
        "en": "This device is not enrolled or its enrolment was revoked. Please contact the counter managers.",
        "pt": "Este terminal não está registrado ou o registro foi revogado. Contate a gestão do atendimento.",
        "vi": "Thiết bị này chưa được đăng ký hoặc đã bị thu hồi đăng ký. Vui lòng liên hệ bộ phận quản lý quầy.",
        "zh": "此终端未登记或登记已被撤销。请联系窗口管理职员。",
    },
    "enrolment_code_invalid": {
        "ja": "登録コードが正しくないか、使用済みか、有効期限が切れています。",
        "ja-easy": "とうろく コードが ちがうか、もう つかったか、きげんが きれて います。",
        "en": "The enrolment code is wrong, already used or expired.",
        "pt": "O código de registro está errado, já foi usado ou expirou.",
        "vi": "Mã đăng ký không đúng, đã được sử dụng hoặc đã hết hạn.",
        "zh": "登记码错误、已使用或已过期。",
    },
    "device_wrong_kind": {
        "ja": "この登録は別の種類の端末のものです（キオスク用と発券機用を確認してください）。",
        "ja-easy": "この とうろくは べつの きかいの ものです。",
        "en": "This enrolment is for another kind of device (check kiosk or ticket machine).",
        "pt": "Este registro é de outro tipo de terminal (verifique quiosque ou emissor de senhas).",
        "vi": "Đăng ký này dành cho loại thiết bị khác (kiểm tra ki-ốt hoặc máy lấy số).",
        "zh": "此登记属于其他类型的终端（请确认是自助终端还是取号机）。",
    },
    "device_identity_unavailable": {
        "ja": "端末の認証サービスが応答しません。しばらくしてからもう一度お試しください（登録コードは使えます）。",
        "ja-easy": "いま つながりません。すこし まって もう いちど して ください。",
        "en": "The device sign-in service did not answer. Please try again shortly (the code still works).",
        "pt": "O serviço de autenticação de terminais não respondeu. Tente de novo em instantes (o código vale ainda).",
        "vi": "Dịch vụ xác thực thiết bị không phản hồi. Vui lòng thử lại sau (mã vẫn còn hiệu lực).",
        "zh": "终端认证服务没有响应。请稍后再试（登记码仍然有效）。",
    },
    # faults: an outside provider failed, throttled or hung; nothing was changed, the caller may try again ---
    "payment_unavailable": {
        "ja": "決済サービスに接続できませんでした。お支払いは行われていません。"
        "しばらくしてからもう一度お試しください。",
        "ja-easy": "いま しはらいが できません。おかねは はらわれて いません。"
        "すこし まってから もう いちど して ください。",
        "en": "The payment service could not be reached. Nothing was charged; please try again in a moment.",
        "pt": "Não foi possível acessar o serviço de pagamento. Nada foi cobrado; tente novamente em instantes.",
        "vi": "Không kết nối được dịch vụ thanh toán. Chưa có khoản nào bị trừ; vui lòng thử lại sau giây lát.",
        "zh": "无法连接支付服务。未产生任何扣款，请稍后重试。",
    },
    "auth_unavailable": {
        "ja": "ログインの確認ができませんでした。ログインし直す必要はありません。"
        "しばらくしてからもう一度お試しください。",
        "ja-easy": "いま ログインを たしかめる ことが できません。すこし まってから もう いちど して ください。",
        "en": "Your sign-in could not be checked just now. You do not need to sign in again; please try again.",
        "pt": "Não foi possível verificar seu login agora. Não é preciso entrar de novo; tente novamente.",
        "vi": "Hiện không thể xác minh đăng nhập. Bạn không cần đăng nhập lại; vui lòng thử lại.",
        "zh": "目前无法验证您的登录。无需重新登录，请稍后重试。",
    },
    "storage_unavailable": {
        "ja": "ファイルの保存先に接続できませんでした。何も変更されていません。"
        "しばらくしてからもう一度お試しください。",
        "ja-easy": "いま ファイルを あつかう ことが できません。すこし まってから もう いちど して ください。",
        "en": "File storage could not be reached. Nothing was changed; please try again in a moment.",
        "pt": "Não foi possível acessar o armazenamento de arquivos. Nada foi alterado; tente novamente.",
        "vi": "Không kết nối được kho lưu trữ tệp. Không có gì bị thay đổi; vui lòng thử lại.",
        "zh": "无法连接文件存储。未做任何更改，请稍后重试。",
    },
    "certificate_not_found": {
        "ja": "この交付番号と照合番号の証明書は見つかりませんでした。"
        "証明書に印字された番号をもう一度お確かめください。",
        "ja-easy": "この ばんごうの しょうめいしょは ありません。"
        "かみに かいてある ばんごうを もう いちど みて ください。",
        "en": "No certificate has this issue number and verification code. Please check both against the paper.",
        "pt": "Nenhum certificado tem este número de emissão e código de verificação. Confira os dois no papel.",
        "vi": "Không có giấy chứng nhận nào với số cấp và mã xác minh này. Vui lòng kiểm tra lại trên giấy.",
        "zh": "没有与此交付编号和核对编号相符的证明书。请对照纸面再次确认。",
    },
    "certificate_record_unavailable": {
        "ja": "申請者の住民記録を一件に特定できないため、証明書を作成できません。"
        "窓口で基幹システムから発行してください。",
        "ja-easy": "この ひとの じゅうみんの きろくが みつからないので しょうめいしょを つくれません。"
        "まどぐちで つくって ください。",
        "en": "The applicant's resident record cannot be identified, so no certificate can be made here. "
        "Issue it at the counter from the core system.",
        "pt": "Não foi possível identificar o registro de residente do requerente; emita o certificado no balcão.",
        "vi": "Không xác định được hồ sơ cư trú của người nộp; vui lòng cấp giấy chứng nhận tại quầy.",
        "zh": "无法确定申请人的住民记录，无法在此制作证明书。请在窗口通过核心系统发行。",
    },
    "service_busy": {
        "ja": "ただいま混み合っています。何も変更されていません。しばらくしてからもう一度お試しください。",
        "ja-easy": "いま こんで います。なにも かわって いません。すこし まってから もう いちど して ください。",
        "en": "The service is busy right now. Nothing was changed; please try again in a moment.",
        "pt": "O serviço está ocupado no momento. Nada foi alterado; tente novamente em instantes.",
        "vi": "Hệ thống đang bận. Không có gì bị thay đổi; vui lòng thử lại sau giây lát.",
        "zh": "服务繁忙。未做任何更改，请稍后重试。",
    },
}


def message(code: str, lang: Lang) -> str:
    """The message for an error code or a field reason; unknown field reasons read as "not valid"."""
    return pick(MESSAGES.get(code) or MESSAGES["field_invalid"], lang)

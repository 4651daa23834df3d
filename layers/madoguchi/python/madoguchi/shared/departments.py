"""City departments (所属) that own procedures, staff groups and one-stop steps."""

from __future__ import annotations

from madoguchi.shared.i18n import Localized

DEPARTMENTS: dict[str, Localized] = {
    "shimin": {
        "ja": "市民課",
        "ja-easy": "しみんか",
        "en": "Citizens Division",
        "pt": "Divisão de Cidadãos",
        "vi": "Phòng Công dân",
        "zh": "市民课",
    },
    "hoken": {
        "ja": "保険年金課",
        "ja-easy": "ほけんねんきんか",
        "en": "Insurance and Pension Division",
        "pt": "Divisão de Seguro e Pensão",
        "vi": "Phòng Bảo hiểm và Lương hưu",
        "zh": "保险年金课",
    },
    "zei": {
        "ja": "市民税課",
        "ja-easy": "しみんぜいか",
        "en": "Municipal Tax Division",
        "pt": "Divisão de Impostos Municipais",
        "vi": "Phòng Thuế Thị dân",
        "zh": "市民税课",
    },
    "shisan": {
        "ja": "資産税課",
        "ja-easy": "しさんぜいか",
        "en": "Property Tax Division",
        "pt": "Divisão de Imposto sobre Imóveis",
        "vi": "Phòng Thuế Tài sản",
        "zh": "资产税课",
    },
    "kodomo": {
        "ja": "こども未来課",
        "ja-easy": "こどもみらいか",
        "en": "Children's Future Division",
        "pt": "Divisão Futuro das Crianças",
        "vi": "Phòng Tương lai Trẻ em",
        "zh": "儿童未来课",
    },
    "kaigo": {
        "ja": "介護保険課",
        "ja-easy": "かいごほけんか",
        "en": "Long-Term Care Insurance Division",
        "pt": "Divisão de Seguro de Cuidados",
        "vi": "Phòng Bảo hiểm Chăm sóc Dài hạn",
        "zh": "护理保险课",
    },
    "kodomo_hoken": {
        "ja": "こども保健福祉課",
        "ja-easy": "こども ほけん ふくしか",
        "en": "Child Health and Welfare Division",
        "pt": "Divisão de Saúde e Bem-Estar Infantil",
        "vi": "Phòng Y tế và Phúc lợi Trẻ em",
        "zh": "儿童保健福利课",
    },
    "eisei": {
        "ja": "衛生指導課（保健所）",
        "ja-easy": "えいせい しどうか（ほけんじょ）",
        "en": "Sanitation Division (Public Health Centre)",
        "pt": "Divisão de Saneamento (Centro de Saúde Pública)",
        "vi": "Phòng Hướng dẫn Vệ sinh (Trung tâm Y tế)",
        "zh": "卫生指导课（保健所）",
    },
    "doro": {
        "ja": "道路管理課",
        "ja-easy": "どうろかんりか",
        "en": "Road Management Division",
        "pt": "Divisão de Gestão de Vias",
        "vi": "Phòng Quản lý Đường bộ",
        "zh": "道路管理课",
    },
    "chiku": {
        "ja": "地区市民センター", "ja-easy": "ちく しみん センター", "en": "District Citizens' Centre",
        "pt": "Centro Distrital do Cidadão", "vi": "Trung tâm Công dân Khu vực", "zh": "地区市民中心",
    },
    "shisetsu": {
        "ja": "施設管理課",
        "ja-easy": "しせつ かんりか",
        "en": "Facilities Management Division",
        "pt": "Divisão de Gestão de Instalações",
        "vi": "Phòng Quản lý Cơ sở",
        "zh": "设施管理课",
    },
    "kanri": {
        "ja": "窓口管理",
        "ja-easy": "まどぐちの かんり",
        "en": "Counter Management",
        "pt": "Gestão dos Balcões",
        "vi": "Quản lý Quầy",
        "zh": "窗口管理",
    },
    "onestop": {
        "ja": "ワンストップ窓口",
        "ja-easy": "なんでも まどぐち",
        "en": "One-Stop Counter",
        "pt": "Balcão Único",
        "vi": "Quầy Một cửa",
        "zh": "一站式窗口",
    },
}

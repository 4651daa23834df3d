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
    "onestop": {
        "ja": "ワンストップ窓口",
        "ja-easy": "なんでも まどぐち",
        "en": "One-Stop Counter",
        "pt": "Balcão Único",
        "vi": "Quầy Một cửa",
        "zh": "一站式窗口",
    },
}

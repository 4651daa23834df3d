import pytest

from infra.seed import procedures as seed_procedures
from madoguchi.procedures.service import ProcedureDeps, get_procedure, list_procedures
from madoguchi.shared.errors import NotFound
from tests.fakes.procedures import MemoryProcedureStore

PLAN_PROCEDURES = {
    "住民票の写し",
    "印鑑登録証明書",
    "戸籍証明書（戸籍謄本・抄本）",
    "所得課税証明書",
    "児童手当の認定請求",
    "子ども医療費助成の申請",
    "公共物使用許可の申請",
    "転入届",
}


@pytest.fixture
def store():
    return ProcedureDeps(MemoryProcedureStore(seed_procedures()))


def test_the_catalogue_holds_the_plans_procedures_in_japanese_and_english(store):
    # the register grew beyond the plan's first eight (tests/unit/test_register.py checks every language)
    listing = list_procedures(store, lang="ja")
    assert {p.name for p in listing.procedures} >= PLAN_PROCEDURES
    for procedure in seed_procedures():
        assert procedure.name.get("en") and procedure.summary.get("en") and procedure.where.get("en")
        assert all(doc.get("ja") and doc.get("en") for doc in procedure.documents)


def test_listing_is_in_the_citys_order_and_in_the_asked_language(store):
    listing = list_procedures(store, lang="en")
    assert listing.lang == "en"
    assert listing.procedures[0].name == "Copy of Resident Record"
    assert listing.procedures[0].department.name == "Citizens Division"
    assert listing.procedures[0].fee_yen == 300


def test_counter_only_procedure_says_so(store):
    tennyu = get_procedure("tennyu-todoke", store, lang="en")
    assert tennyu.channels == ["counter"]
    assert tennyu.where.startswith("Main building")
    assert tennyu.documents


def test_unknown_procedure_is_not_found(store):
    with pytest.raises(NotFound):
        get_procedure("no-such-procedure", store, lang="ja")

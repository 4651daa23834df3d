from __future__ import annotations

from madoguchi.procedures.models import ProcedureDetail, ProcedureList, detail, summarise
from madoguchi.procedures.store import ProcedureStore
from madoguchi.shared.errors import NotFound
from madoguchi.shared.i18n import Lang


def list_procedures(store: ProcedureStore, lang: Lang) -> ProcedureList:
    procedures = sorted(store.list(), key=lambda p: (p.order, p.id))
    return ProcedureList(lang=lang, procedures=[summarise(p, lang) for p in procedures])


def get_procedure(store: ProcedureStore, procedure_id: str, lang: Lang) -> ProcedureDetail:
    procedure = store.get(procedure_id)
    if procedure is None:
        raise NotFound(procedure_id=procedure_id)
    return detail(procedure, lang)

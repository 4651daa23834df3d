"""The procedure catalogue as residents read it, and who the caller is (GET /me, served by the same function)."""

from __future__ import annotations

from dataclasses import dataclass

from madoguchi.procedures.models import ProcedureDetail, ProcedureList, detail, summarise
from madoguchi.procedures.store import ProcedureStore
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import NotFound
from madoguchi.shared.i18n import Lang


@dataclass(frozen=True)
class ProcedureDeps:
    store: ProcedureStore


def list_procedures(deps: ProcedureDeps, *, lang: Lang) -> ProcedureList:
    procedures = sorted(deps.store.list(), key=lambda p: (p.order, p.id))
    return ProcedureList(lang=lang, procedures=[summarise(p, lang) for p in procedures])


def get_procedure(procedure_id: str, deps: ProcedureDeps, *, lang: Lang) -> ProcedureDetail:
    procedure = deps.store.get(procedure_id)
    if procedure is None:
        raise NotFound(procedure_id=procedure_id)
    return detail(procedure, lang)


def who_am_i(caller: Caller | None) -> Caller:
    """The signed-in caller as the API sees them: any role, never anonymous."""
    return require(caller, Role.RESIDENT, Role.STAFF, Role.DEVICE)

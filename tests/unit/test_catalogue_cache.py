from infra.seed import procedures as seed_procedures
from madoguchi.procedures.cache import CachedProcedureStore
from tests.fakes.procedures import MemoryProcedureStore


class CountingStore(MemoryProcedureStore):
    def __init__(self, procedures):
        super().__init__(procedures)
        self.reads = 0

    def list(self):
        self.reads += 1
        return super().list()

    def get(self, procedure_id):
        self.reads += 1
        return super().get(procedure_id)


class Clock:
    now = 0.0

    def __call__(self):
        return self.now


def test_warm_container_reads_the_catalogue_once_per_ttl():
    inner, clock = CountingStore(seed_procedures()), Clock()
    store = CachedProcedureStore(inner, ttl=60, clock=clock)
    assert len(store.list()) == len(seed_procedures())
    assert store.get("juminhyo").id == "juminhyo"
    assert store.get("nothing") is None
    assert inner.reads == 1
    clock.now = 61
    store.list()
    assert inner.reads == 2


def test_a_write_through_the_cache_is_seen_at_once():
    inner = CountingStore(seed_procedures())
    store = CachedProcedureStore(inner, ttl=60, clock=Clock())
    changed = store.list()[0].model_copy(update={"fee_yen": 350})
    store.put(changed)
    assert store.get(changed.id).fee_yen == 350

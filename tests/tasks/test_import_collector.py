"""An import pauses Python's garbage collector while it runs (tasks.importers.service.collector_paused)
and always gives it back as it found it, whether the import succeeds or fails."""
import gc
from pathlib import Path

import pytest

from tasks.importers.load import import_appendix
from tasks.importers.service import ImportFailed, collector_paused

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def collector_enabled():
    was = gc.isenabled()
    gc.enable()
    yield
    gc.enable() if was else gc.disable()


def test_the_collector_is_off_during_an_import_and_on_after_it(db, collector_enabled):
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    report = import_appendix(ROOT / "fixtures" / "plan-396.xlsx")
    assert report.counts and gc.isenabled()


def test_a_failed_import_gives_the_collector_back(db, collector_enabled, tmp_path):
    bad = tmp_path / "phu-luc.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ImportFailed):
        import_appendix(bad)
    assert gc.isenabled()


def test_a_paused_collector_stays_paused(collector_enabled):
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()

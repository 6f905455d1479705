"""levels/index.json: listing the campaign and finding a level by name load no level file
(issue 23), and a file whose text changed since the index was written is read instead."""

from __future__ import annotations

import json

from kubegame.level import catalog
from kubegame.level.loader import load_level


def test_the_shipped_index_is_current() -> None:
    index = json.loads(catalog.INDEX.read_text(encoding="utf-8"))
    assert sorted(index) == [p.stem for p in catalog.bundled_paths()], "run: python -m kubegame.level.catalog"
    for p in catalog.bundled_paths():
        entry = dict(index[p.stem])
        assert entry.pop("sha256") == catalog._digest(p), f"{p.name} changed: run python -m kubegame.level.catalog"
        assert entry == catalog.entry_of(load_level(p))


def test_a_changed_file_is_loaded_not_read_from_the_index(tmp_path, monkeypatch) -> None:
    src = catalog.bundled_paths()[0]
    (tmp_path / src.name).write_text(src.read_text().replace("title: ", "title: Changed ", 1))
    monkeypatch.setattr(catalog, "BUNDLED_DIR", tmp_path)
    (tmp_path / "index.json").write_text(catalog.INDEX.read_text())
    monkeypatch.setattr(catalog, "INDEX", tmp_path / "index.json")
    [(path, entry)] = catalog.campaign()
    assert isinstance(entry, dict) and entry["title"].startswith("Changed ")


def test_listing_the_campaign_loads_no_level(monkeypatch) -> None:
    def refuse(*a, **k):
        raise AssertionError("a level was loaded")
    monkeypatch.setattr(catalog, "load_level", refuse)
    entries = catalog.campaign()
    assert len(entries) == len(catalog.bundled_paths()) and all(isinstance(e, dict) for _, e in entries)

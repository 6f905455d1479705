"""The title screen lists the bundled campaign from levels/index.json: no level is loaded until
one is chosen (issue 23: ui_first_frame_ms), and what it shows is what the loaded level says."""

from __future__ import annotations

from kubegame.tui import catalog


def test_the_bundled_campaign_is_listed_without_loading_a_level() -> None:
    campaign = catalog.load_campaign()
    assert campaign.entries and all(e._level is None and e.ok for e in campaign.entries)
    first = campaign.playable()[0]
    shown = (first.name, first.title, first.chapter, first.concepts, first.duration, first.sort_key)
    level = first.level                       # chosen: loaded now
    assert level is not None and first._level is level
    assert shown == (level.name, level.title, level.chapter, list(level.concepts), level.duration, level.sort_key)


def test_a_level_that_fails_when_chosen_is_then_listed_as_broken(tmp_path) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_text("kind: Level\n")
    e = catalog.Entry(str(bad), None, "", {"name": "x", "title": "X", "chapter": 1, "concepts": [],
                                           "duration": 10, "sortKey": [1, "x.yaml", "x"]})
    assert e.ok and e.level is None and not e.ok and e.error

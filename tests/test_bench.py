"""The benchmark's smoke test: it runs and reports every figure (speed targets live in the bench, not here)."""

import json

from kubegame import bench
from kubegame.cli import main


def test_bench_quick_reports_the_engine_figures(capsys):
    assert main(["bench", "--quick", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    engine_keys = set(bench.TARGETS) - {"ui_key_latency_ms", "ui_tick_render_ms"}
    assert engine_keys <= set(out)
    assert all(out[k] > 0 for k in engine_keys)


def test_table_marks_missed_targets():
    text = bench.table({"small_ticks_per_s": 10.0, "rss_mb": 1.0})
    assert "small_ticks_per_s" in text and " NO" in text.splitlines()[1]
    assert "yes" in next(line for line in text.splitlines() if line.startswith("rss_mb"))

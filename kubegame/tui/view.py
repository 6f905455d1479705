"""How cluster state reads on screen: glyphs, words and colour classes (no Textual here).

Every state has a glyph *and* a word, so the board reads in a 16-colour terminal and
for colour-blind players; colour only repeats what the glyph says. Severity is one of
`ok`, `warn`, `bad`, `off` and maps to the theme's success / warning / error / muted.
"""

from __future__ import annotations

from typing import Any

# pod glyphs: (glyph, word, severity)
POD_RUNNING = ("●", "running", "ok")
POD_STARTING = ("○", "starting", "warn")
POD_PENDING = ("◌", "pending", "warn")
POD_CRASH = ("↻", "crash", "bad")
POD_ERROR = ("!", "error", "bad")
POD_TERMINATING = ("◍", "terminating", "off")
POD_LOST = ("✖", "lost", "bad")
POD_DONE = ("✔", "done", "off")

LEGEND = [POD_RUNNING, POD_STARTING, POD_PENDING, POD_CRASH, POD_ERROR, POD_TERMINATING, POD_LOST, POD_DONE]

STYLE = {"ok": "$text-success", "warn": "$text-warning", "bad": "$text-error", "off": "$text-muted"}
STYLE_BOLD = {"ok": "bold $text-success", "warn": "bold $text-warning", "bad": "bold $text-error",
              "off": "$text-muted"}

CRASH_REASONS = {"CrashLoopBackOff", "Error", "OOMKilled", "RunContainerError"}
ERROR_REASONS = {"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError",
                 "CreateContainerError", "ErrImageNeverPull"}


def pod_glyph(pod: Any, node_alive: bool = True) -> tuple[str, str, str]:
    """The glyph, word and severity of one pod on the board."""
    reason = pod.status_reason()
    if not node_alive and pod.phase not in ("Succeeded", "Failed"):
        return POD_LOST
    if pod.terminating:
        return POD_LOST if reason == "Unknown" else POD_TERMINATING
    if reason in ("Completed",) or pod.phase == "Succeeded":
        return POD_DONE
    if reason in CRASH_REASONS or pod.phase == "Failed":
        return POD_CRASH
    if reason in ERROR_REASONS:
        return POD_ERROR
    if pod.ready:
        return POD_RUNNING
    if not pod.node_name:
        return POD_PENDING
    return POD_STARTING


def node_status(node: Any, now: int) -> tuple[str, str]:
    """(words, severity) for a node card's status: Ready, NotReady (why), SchedulingDisabled, booting."""
    words: list[str] = []
    sev = "ok"
    booting = node.booting_until is not None and node.booting_until > now
    if booting:
        words.append(f"booting ({node.booting_until - now}s)")
        sev = "warn"
    elif node.ready_status == "True":
        words.append("Ready")
    else:
        words.append("NotReady")
        sev = "bad"
    if not node.alive:
        since = max(0, now - int(getattr(node, "last_heartbeat", now) or 0))
        words.append(f"DOWN (no heartbeat {since}s)")
        sev = "bad"
    elif node.ready_status == "Unknown":
        words.append("(Unknown)")
    if node.unschedulable:
        words.append("SchedulingDisabled")
        if sev == "ok":
            sev = "warn"
    return " ".join(words), sev


def bar(frac: float, width: int = 8) -> str:
    """A bar of `width` cells: ▇ filled, ▁ empty (eighths on the last cell)."""
    frac = 0.0 if frac != frac else max(0.0, min(1.0, frac))
    full = int(frac * width)
    rest = frac * width - full
    partial = "▁▂▃▄▅▆▇"[min(6, int(rest * 7))] if full < width and rest >= 1 / 7 else ""
    return "▇" * full + partial + "▁" * (width - full - len(partial))


def usage_severity(frac: float) -> str:
    return "bad" if frac >= 0.95 else "warn" if frac >= 0.8 else "ok"


def availability_severity(pct: float) -> str:
    return "ok" if pct >= 99 else "warn" if pct >= 90 else "bad"


def short_pct(x: float) -> str:
    return f"{x:.0f}%" if x >= 99.95 or x == 0 else f"{x:.1f}%"


OBJECTIVE_GLYPH = {"met": ("●", "ok"), "at risk": ("▲", "warn"), "failed": ("✖", "bad")}


def objective_glyph(status: str) -> tuple[str, str]:
    return OBJECTIVE_GLYPH.get(status, ("○", "off"))


def format_ticks(n: int | None) -> str:
    if n is None:
        return ""
    if n >= 60:
        return f"{n // 60}m{n % 60:02d}s"
    return f"{n}s"


POD_BY_STATE = {"running": POD_RUNNING, "starting": POD_STARTING, "pending": POD_PENDING, "crash": POD_CRASH,
                "error": POD_ERROR, "terminating": POD_TERMINATING, "lost": POD_LOST, "done": POD_DONE}
LEGEND_ORDER = ["running", "starting", "pending", "crash", "terminating", "lost", "done"]


def pod_state_glyph(state: str) -> tuple[str, str, str]:
    """A Game PodView.state word -> (glyph, word, severity)."""
    return POD_BY_STATE.get(state, ("?", state, "off"))


def node_words(view: Any) -> tuple[str, str]:
    """(status words, severity) for a Game NodeView."""
    if not view.alive:
        return f"✖ DOWN {view.silent_for}s (API: {view.status})", "bad"
    words = [view.status]
    sev = {"Ready": "ok", "Booting": "warn"}.get(view.status, "bad")
    if view.status == "Booting":
        words = ["booting"]
    if view.cordoned:
        words.append("SchedulingDisabled")
        if sev == "ok":
            sev = "warn"
    return " ".join(words), sev

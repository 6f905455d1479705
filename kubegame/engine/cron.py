"""Cron schedules on the game clock, as the CronJob controller reads them.

The controller parses `spec.schedule` with robfig/cron's ParseStandard: five fields (minute,
hour, day of month, month, day of week; names such as `jan` and `mon`; `?` for `*`), or a
descriptor (`@hourly`, `@daily`, `@midnight`, `@weekly`, `@monthly`, `@yearly`, `@annually`,
`@every 90s`). This module checks a schedule with robfig's error wording and finds the next
times with croniter (the same Vixie-cron day-of-month/day-of-week rule) in the CronJob's time
zone (`spec.timeZone`, else UTC, kube-controller-manager's zone here); the IANA data comes
from the tzdata package, so every machine agrees.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

EPOCH_UNIX = 1767225600        # 2026-01-01T00:00:00Z: the engine's tick 0

DESCRIPTORS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
               "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}
BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
NAMES = (None, None, None,
         {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                          "nov", "dec"))},
         {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))})
_DURATION = re.compile(r"^(\d+(?:\.\d+)?(?:h|m|s|ms))+$")


class CronError(ValueError):
    """A schedule robfig/cron refuses, with its message."""


def _number(text: str, names: dict | None) -> int:
    if names and text.lower() in names:
        return names[text.lower()]
    if not text.isdigit():
        raise CronError(f'failed to parse int from {text}: strconv.Atoi: parsing "{text}": invalid syntax')
    return int(text)


def _field(expr: str, index: int) -> None:
    lo, hi = BOUNDS[index]
    names = NAMES[index]
    for part in expr.split(","):
        range_step = part.split("/")
        if len(range_step) > 2:
            raise CronError(f"too many slashes: {part}")
        low_high = range_step[0].split("-")
        if len(low_high) > 2:
            raise CronError(f"too many hyphens: {part}")
        if low_high[0] in ("*", "?"):
            start, end = lo, hi
        else:
            start = _number(low_high[0], names)
            end = _number(low_high[1], names) if len(low_high) == 2 else start
        if len(range_step) == 2:
            step = _number(range_step[1], None)
            if step <= 0:
                raise CronError(f"step of range should be a positive number: {part}")
        if start < lo:
            raise CronError(f"beginning of range ({start}) below minimum ({lo}): {part}")
        if end > hi:
            raise CronError(f"end of range ({end}) above maximum ({hi}): {part}")
        if start > end:
            raise CronError(f"beginning of range ({start}) beyond end of range ({end}): {part}")


def _seconds(duration: str) -> float:
    total = 0.0
    for num, unit in re.findall(r"(\d+(?:\.\d+)?)(h|ms|m|s)", duration):
        total += float(num) * {"h": 3600, "m": 60, "s": 1, "ms": 0.001}[unit]
    return total


@lru_cache(maxsize=512)
def parse_schedule(schedule: str) -> tuple[str, float]:
    """(a five-field expression, 0) or ("", seconds) for `@every`; raise CronError as robfig would."""
    s = schedule.strip()
    if s.startswith("@"):
        if s.startswith("@every "):
            d = s[len("@every "):].strip()
            if not _DURATION.match(d):
                raise CronError(f"failed to parse duration {s}: time: invalid duration \"{d}\"")
            secs = _seconds(d)
            return "", max(secs, 1.0)
        if s in DESCRIPTORS:
            return DESCRIPTORS[s], 0
        raise CronError(f"unrecognized descriptor: {s}")
    fields = s.split()
    if len(fields) != 5:
        raise CronError(f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]")
    for i, f in enumerate(fields):
        _field(f, i)
    return " ".join(fields), 0


def valid_time_zone(name: str) -> bool:
    if name in ("", "Local") or name.startswith("/") or ".." in name:
        return name == ""
    try:
        _zone(name)
        return True
    except (ZoneInfoNotFoundError, ValueError):
        return False


@lru_cache(maxsize=64)
def _zone(name: str) -> timezone | ZoneInfo:
    return UTC if not name or name == "UTC" else ZoneInfo(name)


def unix_of_tick(tick: int) -> int:
    return EPOCH_UNIX + tick


def next_after(schedule: str, tz: str, after_unix: int) -> int:
    """The first schedule time strictly after `after_unix` (seconds since 1970)."""
    expr, every = parse_schedule(schedule)
    if every:
        return after_unix + int(every)
    zone = _zone(tz or "")
    start = datetime.fromtimestamp(after_unix, zone)
    return int(croniter(_croniter_expr(expr), start).get_next(datetime).timestamp())


def _croniter_expr(expr: str) -> str:
    # robfig takes `?` as `*`; croniter wants `*`
    return expr.replace("?", "*")


def times_between(schedule: str, tz: str, after_unix: int, until_unix: int, limit: int = 101) -> list[int]:
    """Schedule times in (after, until], at most `limit` of them (the controller's missed-start count)."""
    out: list[int] = []
    t = after_unix
    while len(out) < limit:
        t = next_after(schedule, tz, t)
        if t > until_unix:
            break
        out.append(t)
    return out


def rfc3339(unix: int, tz: str = "") -> str:
    """time.Time.Format(time.RFC3339) in the CronJob's zone."""
    dt = datetime.fromtimestamp(unix, _zone(tz or ""))
    off = dt.utcoffset() or timedelta(0)
    if off == timedelta(0) and (not tz or tz == "UTC"):
        return dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return dt.isoformat(timespec="seconds")


def rfc1123z(unix: int, tz: str = "") -> str:
    """time.RFC1123Z: `Mon, 02 Jan 2006 15:04:05 -0700` (the MissSchedule event)."""
    return datetime.fromtimestamp(unix, _zone(tz or "")).strftime("%a, %d %b %Y %H:%M:%S %z")

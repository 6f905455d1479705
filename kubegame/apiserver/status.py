"""metav1.Status bodies: what every API error looks like on the wire (k8s.io/apimachinery
pkg/api/errors/errors.go; kubectl's CheckErr prints them)."""

from __future__ import annotations

import re
from typing import Any

from kubegame.engine.errors import ApiError

_INVALID = re.compile(r'^(\w+)(?:\.([\w.]+))? "(.*?)" is invalid: (.*)$', re.S)
_NAMED = re.compile(r'^([\w.]+) "(.*?)" (?:not found|already exists)')


def status(code: int, reason: str, message: str, details: dict | None = None) -> dict:
    body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                            "message": message}
    if reason:
        body["reason"] = reason
    if details is not None:
        body["details"] = details
    body["code"] = code
    return body


def success(name: str = "", kind: str = "", group: str = "", uid: str = "") -> dict:
    details: dict[str, Any] = {}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    if kind:
        details["kind"] = kind
    if uid:
        details["uid"] = uid
    out: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}
    if details:
        out["details"] = details
    return out


def from_api_error(exc: ApiError) -> dict:
    """An engine ApiError as the API server sends it: Invalid with field causes, NotFound and
    AlreadyExists with the resource and name in details."""
    if exc.reason == "Invalid":
        m = _INVALID.match(exc.message)
        if m:
            kind, group, name, causes_text = m.groups()
            parts = [causes_text]
            if causes_text.startswith("[") and causes_text.endswith("]"):
                parts = re.split(r", (?=[a-zA-Z][\w.\[\]\-/]*: )", causes_text[1:-1])
            causes = []
            for part in parts:
                field, sep, msg = part.partition(": ")
                if not sep:
                    field, msg = "", part
                reason = ("FieldValueRequired" if msg.startswith("Required value") else
                          "FieldValueNotSupported" if msg.startswith("Unsupported value") else
                          "FieldValueDuplicate" if msg.startswith("Duplicate value") else
                          "FieldValueForbidden" if msg.startswith("Forbidden") else "FieldValueInvalid")
                causes.append({"reason": reason, "message": msg, "field": field})
            details = {"name": name, **({"group": group} if group else {}), "kind": kind, "causes": causes}
            return status(exc.code or 422, "Invalid", exc.message, details)
    details = None
    m = _NAMED.match(exc.message)
    if m and exc.reason in ("NotFound", "AlreadyExists"):
        resource, name = m.groups()
        plural, _, group = resource.partition(".")
        details = {"name": name, **({"group": group} if group else {}), "kind": plural}
    return status(exc.code or 500, exc.reason, exc.message, details)


def not_found_path() -> dict:
    """A path the server has no handler for (the mux's 404)."""
    return status(404, "NotFound", "the server could not find the requested resource", {})


def method_not_allowed(method: str) -> dict:
    return status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource",
                  {})


def bad_request(message: str) -> dict:
    return status(400, "BadRequest", message)


def unauthorized() -> dict:
    return status(401, "Unauthorized", "Unauthorized")

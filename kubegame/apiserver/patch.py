"""PATCH bodies as the API server applies them (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/
patch.go): RFC 6902 JSON patch (the jsonpatch library), RFC 7386 merge patch, and the strategic
merge patch of k8s.io/apimachinery/pkg/util/strategicpatch with the directives kubectl sends
(`$patch: replace|delete|merge`, `$setElementOrder/FIELD`, `$retainKeys`,
`$deleteFromPrimitiveList/FIELD`); lists merge by the Go types' patch merge keys."""

from __future__ import annotations

from typing import Any

import jsonpatch

from kubegame.kubectl.apply_patch import strategic_merge as strategic  # noqa: F401 - the server's SMP
from kubegame.kubectl.cmd_write import merge_patch  # noqa: F401 - RFC 7386, the built-in kubectl's


class PatchError(Exception):
    """The patch does not apply: a 422 (json patch) or 400 with this message."""

    def __init__(self, message: str, code: int = 422):
        super().__init__(message)
        self.message = message
        self.code = code


def json_patch(doc: dict, ops: Any) -> dict:
    if not isinstance(ops, list):
        raise PatchError("json: cannot unmarshal object into Go value of type jsonpatch.Patch", 400)
    try:
        return jsonpatch.apply_patch(doc, ops)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, TypeError, ValueError, KeyError,
            IndexError):
        # handlers/patch.go: NewGenericServerResponse(422, ...) answers with its generic message
        raise PatchError("the server rejected our request due to an error in our request") from None

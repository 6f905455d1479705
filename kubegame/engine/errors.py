"""API errors worded the way the Kubernetes API server words them."""

from __future__ import annotations


class ApiError(Exception):
    """An error the API server would return: kubectl prints `Error from server (REASON): MESSAGE`."""

    def __init__(self, reason: str, message: str, code: int = 400):
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


def not_found(resource: str, name: str) -> ApiError:
    """`deployments.apps "web" not found`."""
    return ApiError("NotFound", f'{resource} "{name}" not found', 404)


def already_exists(resource: str, name: str) -> ApiError:
    return ApiError("AlreadyExists", f'{resource} "{name}" already exists', 409)


def invalid(kind_group: str, name: str, causes: list[str]) -> ApiError:
    """`Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be ...`."""
    joined = causes[0] if len(causes) == 1 else "[" + ", ".join(causes) + "]"
    return ApiError("Invalid", f'{kind_group} "{name}" is invalid: {joined}', 422)


def unavailable() -> ApiError:
    """What every write gets while etcd has no quorum."""
    return ApiError("InternalError", "etcdserver: request timed out", 500)

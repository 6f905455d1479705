"""The Kubernetes HTTP API over the game's cluster (`kubegame serve`): what real kubectl, the
official client libraries and watch-based tools speak, served from the same engine, admission,
RBAC and printers the built-in kubectl uses.

handler.py answers one request synchronously (so every request runs between two ticks and the
engine stays deterministic); http.py puts it on aiohttp; watch.py keeps the event log watches
read; discovery.py, openapi.py and tables.py build what clients read before they act.
"""

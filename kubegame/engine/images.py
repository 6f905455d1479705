"""The image registry: what each image weighs, how it starts, how much it serves."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from kubegame.engine.app import DEFAULT_APP, AppModel


@dataclass(frozen=True)
class Image:
    """One `repository:tag` in the registry (LEVEL_FORMAT.md `spec.images`)."""

    name: str
    size_mb: float = 100
    layers: tuple[str, ...] = ()
    startup_ticks: int = 3
    capacity_rps: float = 100
    latency_ms: float = 20
    crashes: bool = False
    crash_on_kernels: tuple[str, ...] = ()
    available_at: int = 0
    run_ticks: int | None = None
    exit_code: int = 0
    app: AppModel = DEFAULT_APP       # what the app inside does (LEVEL_FORMAT images[].app)

    def all_layers(self) -> tuple[str, ...]:
        """The shared layers plus the image's own top layer."""
        return self.layers + (f"{self.name}@top",)

    def layer_mb(self) -> float:
        """The image's size split evenly over its layers (the format names layers, not their sizes)."""
        return self.size_mb / len(self.all_layers())

    def crashes_on(self, kernel: str) -> bool:
        if self.crashes:
            return True
        return any(kernel == k or kernel.startswith(k + ".") for k in self.crash_on_kernels)


_NAMES: dict[str, str] = {}    # image reference -> the name it resolves to (a pure function, remembered)


@dataclass
class Registry:
    """Images by name; an image is pullable from its `available_at` tick."""

    images: dict[str, Image] = field(default_factory=dict)
    pull_mbps: float = 50
    version: int = 0            # bumped on every add: what an image serves may have changed

    def add(self, image: Image) -> None:
        self.images[image.name] = image
        self.version += 1

    def resolve(self, ref: str) -> Image | None:
        """Find an image by reference; `repo` means `repo:latest`, a registry host prefix is ignored."""
        name = _NAMES.get(ref)
        if name is None:
            name = ref
            if "/" in name and "." in name.split("/", 1)[0]:
                name = name.split("/", 1)[1]
            if name.startswith("library/"):
                name = name[len("library/"):]
            if ":" not in name.rsplit("/", 1)[-1]:
                name += ":latest"
            if len(_NAMES) < 10_000:
                _NAMES[ref] = name
        return self.images.get(name)

    def available(self, ref: str, tick: int) -> Image | None:
        img = self.resolve(ref)
        if img is None or img.available_at > tick:
            return None
        return img

    def pull_ticks(self, image: Image, cached: dict[str, bool]) -> int:
        """Ticks to pull the layers a node lacks at pullMBps."""
        missing = sum(1 for layer in image.all_layers() if layer not in cached)
        if missing == 0:
            return 0
        return max(1, math.ceil(missing * image.layer_mb() / self.pull_mbps))


# Tools every cluster can pull, so `kubectl run tmp --rm -it --image=busybox -- sh` works in any level.
TOOLBOX = AppModel(listens=(), files=("/bin/busybox", "/bin/wget", "/bin/nslookup"), memory_mb=2)
BUILTIN_IMAGES = (
    Image("busybox:latest", size_mb=4, startup_ticks=1, capacity_rps=0, run_ticks=None, app=TOOLBOX),
    Image("busybox:1.36", size_mb=4, startup_ticks=1, capacity_rps=0, app=TOOLBOX),
    Image("alpine:latest", size_mb=8, startup_ticks=1, capacity_rps=0, app=TOOLBOX),
    Image("curlimages/curl:latest", size_mb=12, startup_ticks=1, capacity_rps=0, app=TOOLBOX),
    Image("nicolaka/netshoot:latest", size_mb=180, startup_ticks=1, capacity_rps=0, app=TOOLBOX),
)

"""Where the app finds code and files at synth time, checked up front so a missing build step says so."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from infra import catalogue

ROOT = catalogue.ROOT


class MissingSource(RuntimeError):
    pass


@dataclass(frozen=True)
class Sources:
    madoguchi_layer: Path = ROOT / "layers" / "madoguchi"  # holds python/madoguchi/...
    deps_layer: Path = ROOT / "build" / "layers" / "deps"  # holds python/..., made by `make layer`
    web_dist: Path = ROOT / "web" / "dist"  # made by `npm run build`; optional
    functions_dir: Path = catalogue.FUNCTIONS_DIR

    def function_dir(self, fn: catalogue.Function) -> Path:
        return self.functions_dir / fn.handler_file.parent.name

    def check(self) -> None:
        if not (self.deps_layer / "python").is_dir():
            raise MissingSource(
                f"The dependency layer {self.deps_layer}/python is missing: run `make layer` before synth."
            )
        if not (self.madoguchi_layer / "python" / "madoguchi").is_dir():
            raise MissingSource(f"The shared package {self.madoguchi_layer}/python/madoguchi is missing.")
        missing = [
            str(self.function_dir(fn) / "handler.py")
            for fn in catalogue.FUNCTIONS
            if not (self.function_dir(fn) / "handler.py").is_file()
        ]
        if missing:
            raise MissingSource(f"Catalogue functions without a handler: {', '.join(missing)}")

"""Import everything the pages use before the first learner arrives, then freeze the heap.

A page that imports torch or scikit-learn for the first time holds the interpreter for
seconds, stalling every learner on the server; after start-up nothing heavy is imported.
The imported heap (about 400,000 objects) is moved out of the garbage collector's view,
so the collections that still happen scan only what pages create."""

from __future__ import annotations

import gc
import importlib
import pkgutil

from settings import PROJECT_ROOT

# Imported lazily by libraries on first use, inside a page: torch imports its compiler
# (about 2 s of CPU) when the first optimiser is built, which the learning-rate preview does.
LAZY_IMPORTS = ("torch._dynamo",)


def preload_page_modules() -> int:
    """Import every module under ui/ (and with them labs, classroom and engine) and what
    libraries would import on a page's first use; the count of ui modules."""
    found = pkgutil.walk_packages([str(PROJECT_ROOT / "ui")], prefix="ui.")
    names = [info.name for info in found if not info.ispkg]
    for name in names:
        importlib.import_module(name)
    for name in LAZY_IMPORTS:
        importlib.import_module(name)
    return len(names)


def freeze_heap() -> None:
    """Collect once, then keep every surviving object out of later collections."""
    gc.collect()
    gc.freeze()

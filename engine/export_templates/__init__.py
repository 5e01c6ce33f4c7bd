"""Pieces of an exported run script (see engine.export): code, imports and the settings it reads.

Each template module turns a RunSpec into Pieces, keeping only the code (and the comments
explaining a technique) for the options the spec turns on.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

Setting = tuple[str, str, str]  # (NAME, Python expression, comment)


@dataclass(frozen=True)
class Piece:
    code: str  # one or more top-level definitions, dedented
    imports: tuple[str, ...] = ()  # whole lines: "import math", "from torch import nn"
    settings: tuple[Setting, ...] = ()  # the constants the code reads


def piece(code: str, imports: Iterable[str] = (), settings: Iterable[Setting] = ()) -> Piece:
    return Piece(textwrap.dedent(code).strip("\n"), tuple(imports), tuple(settings))


def setting(name: str, value: Any, comment: str = "") -> Setting:
    """A constant with a literal value."""
    return (name, literal(value), comment)


def literal(value: Any) -> str:
    """Python source for a value: repr (exact for floats), strings in double quotes."""
    if isinstance(value, str) and '"' not in value and repr(value).startswith("'"):
        return '"' + repr(value)[1:-1] + '"'
    if isinstance(value, tuple | list):
        items = ", ".join(literal(v) for v in value)
        if isinstance(value, list):
            return f"[{items}]"
        return f"({items},)" if len(value) == 1 else f"({items})"
    return repr(value)


def expression(name: str, code: str, comment: str = "") -> Setting:
    """A constant computed by code, e.g. the device."""
    return (name, code, comment)


_SLOT = re.compile(r"^([ \t]*)@@(\w+)@@[ \t]*\n", re.MULTILINE)


def fill(template: str, **blocks: str) -> str:
    """The template with each line ``@@name@@`` replaced by ``blocks[name]``, indented like
    the marker; an empty block removes the line."""

    def put(match: re.Match[str]) -> str:
        indent, text = match.group(1), textwrap.dedent(blocks[match.group(2)]).strip("\n")
        if not text:
            return ""
        lines = text.splitlines(True)
        return "".join(indent + line if line.strip() else line for line in lines) + "\n"

    return _SLOT.sub(put, textwrap.dedent(template).strip("\n") + "\n")


def when(flag: Any, text: str) -> str:
    """The text if the flag is set, else nothing (for optional blocks of a template)."""
    return text if flag else ""


def source_of(*functions: Callable[..., Any]) -> str:
    """The engine's own code for these functions, minus caching decorators and cache guards,
    so the exported script computes exactly what the engine computes."""
    parts = []
    for function in functions:
        text = inspect.getsource(function)
        text = re.sub(r"^@lru_cache.*\n", "", text, flags=re.MULTILINE)
        text = re.sub(r"^\s+\w+\.setflags\(write=False\).*\n", "", text, flags=re.MULTILINE)
        parts.append(text.strip("\n"))
    return "\n\n\n".join(parts)

"""Export a run as a standalone PyTorch script (``python -m engine export RUN_ID``).

The script imports nothing from this project: plain PyTorch, numpy, pandas and
scikit-learn, so a learner can take the experiment anywhere. Data that no public package
holds (the competency sentences, uploads) and a transfer-learning source model are copied
beside it. It is assembled from the pieces in engine.export_templates.
"""

from __future__ import annotations

import ast
import shutil
import sys
import textwrap
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from engine import artifacts, jobs
from engine.data import DataError, load_bundle
from engine.data.text import SENTENCES_CSV
from engine.data.uploads import load_upload, uploads_dir
from engine.export_templates import Piece, literal
from engine.export_templates.data import data_pieces
from engine.export_templates.evaluation import evaluation_pieces, main_piece
from engine.export_templates.model import model_pieces
from engine.export_templates.training import training_pieces
from engine.spec import RunSpec

PIP_NAMES = {"sklearn": "scikit-learn", "PIL": "pillow"}  # import name -> package name
RULE = "# " + "-" * 94


class ExportError(ValueError):
    """The run cannot be exported; the message says why."""


def export_run(run_id: int, output: Path | None = None) -> list[Path]:
    """Write the script (and any data files beside it); returns the paths written.

    ``output`` is the script's path if it ends in .py, else the folder to write into
    (default: ./run-<id>/)."""
    state = jobs.status(run_id)
    if state is None:
        raise ExportError(f"there is no run {run_id}")
    try:
        spec = RunSpec.model_validate(state.spec)
    except ValidationError as exc:  # stored by an older version with other settings
        raise ExportError(f"its settings are no longer valid: {exc}") from None
    meta = _upload_meta(spec)
    kind = spec.data_kind or str((meta or {}).get("kind", "tabular"))
    script = _script_path(run_id, output)
    copies = _data_files(spec, meta)
    changed = _data_changed(spec, state.result)
    script.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for name, source in copies.items():
        shutil.copyfile(source, script.parent / name)
        written.append(script.parent / name)
    text = build_script(run_id, spec, kind, meta, state.status, state.result, script.name)
    if changed:
        text = text.replace("\n# The app's result:", changed + "\n# The app's result:", 1)
    script.write_text(text, encoding="utf-8")
    return [script, *written]


def _script_path(run_id: int, output: Path | None) -> Path:
    if output is None:
        return Path(f"run-{run_id}") / f"run_{run_id}.py"
    return output if output.suffix == ".py" else output / f"run_{run_id}.py"


def _upload_meta(spec: RunSpec) -> dict[str, Any] | None:
    if not spec.dataset.startswith("upload:"):
        return None
    try:
        return load_upload(spec.dataset)
    except DataError as exc:
        raise ExportError(f"the run's dataset is gone: {exc}") from None


def _data_changed(spec: RunSpec, result: dict[str, Any] | None) -> str:
    """A header note when the dataset is no longer the one the run trained on."""
    try:
        now = load_bundle(spec).content_hash
    except DataError as exc:
        raise ExportError(f"the run's data cannot be loaded: {exc}") from None
    then = (result or {}).get("dataset_hash")
    if not then or then == now:
        return ""
    return (
        f"# Note: the dataset changed since this run (hash {then}, now {now}), so this\n"
        "# script trains on the new data and its numbers will differ from the app's.\n#"
    )


def _data_files(spec: RunSpec, meta: dict[str, Any] | None) -> dict[str, Path]:
    """Files to copy beside the script: {name there: source here}."""
    files: dict[str, Path] = {}
    if spec.dataset == "competency-sentences":
        files["data.csv"] = SENTENCES_CSV
    elif meta is not None:
        name = str(meta["file"])  # data.csv or data.zip, a name the engine chose
        files[name] = uploads_dir() / spec.dataset.removeprefix("upload:") / name
    if spec.pretrained_from is not None:
        source = artifacts.model_path(spec.pretrained_from)
        if not source.exists():
            raise ExportError(
                f"run {spec.pretrained_from}, the source of this transfer-learning run, "
                "has no saved model to copy"
            )
        files["pretrained.pt"] = source
    return files


def build_script(
    run_id: int,
    spec: RunSpec,
    kind: str,
    meta: dict[str, Any] | None,
    status: str,
    result: dict[str, Any] | None,
    script_name: str,
) -> str:
    """The whole script as text."""
    sections = {
        "Data": data_pieces(spec, kind, meta),
        "Model": model_pieces(spec, kind),
        "Training": training_pieces(spec, kind),
        "Evaluation": evaluation_pieces(spec),
    }
    main = main_piece(spec)
    pieces = [p for group in sections.values() for p in group] + [main]
    imports = _imports(pieces)
    parts = [
        _header(run_id, spec, status, result, script_name, imports)
        + "\n\n"
        + "\n".join(imports)
        + "\n\n"
        + _settings(pieces)
    ]
    seen: set[str] = set()
    for title, group in sections.items():
        codes = []  # each piece's code once, where it first appears
        for code in (p.code for p in group if p.code):
            if code not in seen:
                seen.add(code)
                codes.append(code)
        parts.append(f"{RULE}\n# {title}\n{RULE}\n\n\n" + "\n\n\n".join(codes))
    parts.append(f"{RULE}\n\n\n{main.code}")
    return "\n\n\n".join(part.strip("\n") for part in parts) + "\n"


def _imports(pieces: list[Piece]) -> list[str]:
    """Import lines, standard library first, then the rest; "from" imports merged."""
    plain: set[str] = set()
    names: dict[str, set[str]] = {}
    for line in (line for p in pieces for line in p.imports):
        if line.startswith("from "):
            module, _, imported = line.removeprefix("from ").partition(" import ")
            names.setdefault(module, set()).update(n.strip() for n in imported.split(","))
        else:
            plain.add(line)
    lines = list(plain) + [f"from {m} import {', '.join(sorted(n))}" for m, n in names.items()]

    def module_of(line: str) -> str:
        return line.split()[1]

    def order(line: str) -> tuple[bool, bool, str]:
        stdlib = module_of(line).split(".")[0] in sys.stdlib_module_names
        return (not stdlib, line.startswith("from "), module_of(line).lower())

    ordered = sorted(lines, key=order)
    first_third_party = next((i for i, line in enumerate(ordered) if order(line)[0]), len(ordered))
    if 0 < first_third_party < len(ordered):
        ordered.insert(first_third_party, "")
    return ordered


def _settings(pieces: list[Piece]) -> str:
    lines, seen = [], set()
    for name, value, comment in (s for p in pieces for s in p.settings):
        if name not in seen:
            seen.add(name)
            lines.append(_setting_line(name, value, comment))
    return f"{RULE}\n# Settings (from the app's run; change them and see)\n{RULE}\n" + "\n".join(
        lines
    )


def _setting_line(name: str, value: str, comment: str) -> str:
    """NAME = value  # comment; a long tuple or list gets one item a line."""
    note = f"  # {comment}" if comment else ""
    line = f"{name} = {value}{note}"
    if len(line) <= 100 or value[:1] not in "([":
        return line
    items = [literal(item) for item in ast.literal_eval(value)]
    body = "".join(f"    {item},\n" for item in items)
    return f"{name} = {value[0]}{note}\n{body}{value[-1]}"


def _header(
    run_id: int,
    spec: RunSpec,
    status: str,
    result: dict[str, Any] | None,
    script_name: str,
    imports: list[str],
) -> str:
    packages = sorted(
        {
            PIP_NAMES.get(top, top)
            for line in imports
            if line and (top := line.split()[1].split(".")[0]) not in sys.stdlib_module_names
        }
    )
    pairs = " ".join(f"{k}={v}" for k, v in spec.model_dump().items())
    settings = textwrap.fill(pairs, 94, initial_indent="#   ", subsequent_indent="#   ")
    same = (
        "# On a CPU it reaches the same test accuracy as the app did."
        if spec.data_parallel == 1
        else "# The app trained it data-parallel; this script uses one process, so its numbers\n"
        "# differ a little from the app's."
    )
    lines = [
        f"# Run {run_id} of Deep Learning Labs, exported as a standalone PyTorch script.",
        "#",
        "# It repeats the run with plain PyTorch, numpy, pandas and scikit-learn, nothing from",
        "# the app: the same data split, seed, model, optimiser and schedule.",
        same,
        f"# Run it with:   python {script_name}",
        f"# It needs:      pip install {' '.join(packages)}",
        "# The last line it prints is JSON with test_accuracy and epochs.",
        "#",
        "# The run's settings:",
        settings,
        "#",
        *_result_lines(status, result),
    ]
    return "\n".join(lines)


def _result_lines(status: str, result: dict[str, Any] | None) -> list[str]:
    if not result:
        return [f"# The app's result: none yet (the run is {status})."]
    lines = [
        f"# The app's result: {status} on {result.get('device')} "
        f"({result.get('precision', 'float32')}) in {result.get('seconds', 0):.1f} s, "
        f"after {result.get('epochs')} epochs:"
    ]
    if result.get("test_accuracy") is not None:
        lines.append(
            f"#   test accuracy {result['test_accuracy']!r}, test loss {result['test_loss']!r}"
        )
    if result.get("reason"):
        lines.append(
            textwrap.fill(result["reason"], 94, initial_indent="#   ", subsequent_indent="#   ")
        )
    return lines

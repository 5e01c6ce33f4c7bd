"""Command line: ``python -m engine {example-spec,run,export,check-data,worker}``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from engine.spec import EXAMPLE_SPECS, SpecError, example_spec, parse_spec


class _ConsoleHooks:
    """Print one progress line per epoch to stderr."""

    def on_metrics(self, step: int, epoch: float, values: dict[str, float]) -> None:
        if "val_accuracy" in values:
            print(
                f"epoch {epoch:.0f}: train loss {values['train_loss']:.4f}, "
                f"validation accuracy {values['val_accuracy']:.3f}",
                file=sys.stderr,
            )

    def should_stop(self) -> bool:
        return False

    def flush(self) -> None:
        pass


def _run(path: str) -> int:
    try:
        spec = parse_spec(json.loads(Path(path).read_text()))
        # Imported only now: a typo in the spec is reported before torch takes seconds to load.
        from engine.checks import check_runnable

        check_runnable(spec)
    except (OSError, json.JSONDecodeError) as exc:
        print(f"error: cannot read the spec: {exc}", file=sys.stderr)
        return 2
    except SpecError as exc:
        print(f"error: invalid spec: {exc}", file=sys.stderr)
        return 2
    from engine.trainer import train

    result = train(spec, _ConsoleHooks())
    summary = {k: v for k, v in result.as_dict().items() if k != "confusion_matrix"}
    print(json.dumps(summary))
    return 0 if result.status == "done" else 1


def _export(run_id: int, output: str | None) -> int:
    from engine.export import ExportError, export_run

    try:
        written = export_run(run_id, Path(output) if output else None)
    except ExportError as exc:
        print(f"error: cannot export run {run_id}: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


def _check_data(path: str, table: str | None) -> int:
    """Print a JSON summary of a data file, or one error line on stderr (exit code 2)."""
    from engine.data.bundle import DataError
    from engine.pipeline.ingest import check_data_file

    try:
        summary = check_data_file(Path(path), table)
    except (DataError, OSError) as exc:
        message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(f"error: {path}: {' '.join(message.split())}", file=sys.stderr)
        return 2
    except (RecursionError, ArithmeticError, LookupError, TypeError, ValueError) as exc:
        # A parser that raised instead of answering: one line, never a traceback.
        print(f"error: {path}: the file could not be read ({type(exc).__name__}).", file=sys.stderr)
        return 2
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("example-spec", help="print a ready-to-run spec as JSON")
    ex.add_argument("name", choices=sorted(EXAMPLE_SPECS))
    run = sub.add_parser("run", help="train a spec in the foreground; last line is JSON")
    run.add_argument("spec", help="path to a spec JSON file")
    export = sub.add_parser(
        "export", help="write a standalone PyTorch script that repeats a run (and its data)"
    )
    export.add_argument("run_id", type=int)
    export.add_argument(
        "-o",
        "--output",
        default=None,
        help="the script's path (ending in .py) or a folder for it; default ./run-RUN_ID/",
    )
    check = sub.add_parser(
        "check-data",
        help="check a CSV, Excel, JSON, Parquet or SQLite file as an upload is checked",
    )
    check.add_argument("file")
    check.add_argument("--table", default=None, help="the table of a SQLite database")
    worker = sub.add_parser("worker", help="serve queued runs from the database")
    worker.add_argument(
        "--parent-pid",
        type=int,
        default=None,
        help="exit when this process is gone (set by the app)",
    )
    worker.add_argument("--max-concurrent", type=int, default=None)
    args = parser.parse_args(argv)

    if args.command == "example-spec":
        print(example_spec(args.name).model_dump_json(indent=2))
        return 0
    if args.command == "run":
        return _run(args.spec)
    if args.command == "export":
        return _export(args.run_id, args.output)
    if args.command == "check-data":
        return _check_data(args.file, args.table)
    from engine.worker import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    serve(args.parent_pid, args.max_concurrent)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A pipeline stage as one plain sentence ("Fill missing values in age with the median")."""

from __future__ import annotations

from typing import Any

from engine.pipeline.pipeline_spec import STEP_TITLES

FILLS = {
    "median": "with the median",
    "mean": "with the mean",
    "most_frequent": "with the most frequent value",
    "knn": "from the most similar rows (nearest neighbours)",
}
TYPES = {
    "int": "whole numbers",
    "float": "decimal numbers",
    "datetime": "dates",
    "category": "categories",
    "string": "text",
}
SCALES = {
    "standard": "to mean 0 and standard deviation 1",
    "minmax": "to the range 0 to 1",
    "robust": "around the median, by the spread of the middle half",
}


def listed(columns: Any) -> str:
    """'age', 'age and score', 'age, score and name'."""
    names = [str(c) for c in (columns or [])]
    if len(names) <= 1:
        return "".join(names) or "no columns"
    return ", ".join(names[:-1]) + " and " + names[-1]


def _impute(stage: dict[str, Any]) -> str:
    by_rule: dict[str, list[str]] = {}
    for column, rule in (stage.get("columns") or {}).items():
        rule = {"strategy": rule} if isinstance(rule, str) else dict(rule or {})
        strategy = rule.get("strategy", "median")
        if strategy == "constant":
            fill = f"with the value {rule.get('value')!r}"
        else:
            fill = FILLS.get(strategy, "")
        by_rule.setdefault(strategy if strategy != "constant" else fill, []).append(column)
    parts = []
    for rule, columns in by_rule.items():
        if rule == "drop":
            parts.append(f"Drop the rows with a missing value in {listed(columns)}")
        else:
            parts.append(f"Fill missing values in {listed(columns)} {FILLS.get(rule, rule)}")
    return "; ".join(parts) or "Fill missing values"


def _outliers(stage: dict[str, Any]) -> str:
    method = stage.get("method", "iqr")
    limit = stage.get("threshold") or (1.5 if method == "iqr" else 3)
    rule = (
        f"more than {limit} × the middle half's spread beyond it"
        if method == "iqr"
        else f"more than {limit} standard deviations from the mean"
    )
    action = "Remove the rows with" if stage.get("action") == "remove" else "Clip"
    return f"{action} outliers in {listed(stage.get('columns'))} ({rule})"


def _deduplicate(stage: dict[str, Any]) -> str:
    subset = stage.get("subset")
    if not subset:
        return "Remove rows that repeat another row exactly"
    return f"Remove rows that repeat another row's {listed(subset)}"


def _fix_types(stage: dict[str, Any]) -> str:
    by_type: dict[str, list[str]] = {}
    for column, to in (stage.get("columns") or {}).items():
        by_type.setdefault(to, []).append(column)
    turned = "; ".join(f"{listed(c)} into {TYPES.get(t, t)}" for t, c in by_type.items())
    bad = (
        "a value that won't convert becomes missing"
        if stage.get("invalid") == "missing"
        else "stop at a value that won't convert"
    )
    return f"Turn {turned or 'no columns'} ({bad})"


def describe_stage(stage: dict[str, Any]) -> str:
    """One sentence for a stage dict of a PipelineSpec (also one not yet valid)."""
    step = stage.get("step")
    if step == "impute":
        return _impute(stage)
    if step == "outliers":
        return _outliers(stage)
    if step == "deduplicate":
        return _deduplicate(stage)
    if step == "fix_types":
        return _fix_types(stage)
    if step == "scale":
        how = SCALES.get(stage.get("method", "standard"), "")
        return f"Scale {listed(stage.get('columns'))} {how}".strip()
    if step == "encode":
        columns = listed(stage.get("columns"))
        if stage.get("method") == "ordinal":
            return f"Number the categories of {columns} (ordinal encoding)"
        return f"Give each category of {columns} a 0/1 column of its own (one-hot encoding)"
    if step == "target":
        return f"Predict {stage.get('column')} (rows without a value are dropped)"
    return STEP_TITLES.get(str(step), str(step)).capitalize()

"""The study form: search space, method, budget, parallel trials and pruning."""

from __future__ import annotations

from typing import Any

import streamlit as st

from engine.spec import OPTIMIZER_NAMES
from engine.tuning.records import TUNING_DATASETS, StudySettings
from engine.tuning.space import OPTIMIZERS, SearchSpace
from engine.tuning.study import METHODS, PRUNERS

LABELS = {
    "learning_rate_low": "Learning rate, lowest",
    "learning_rate_high": "Learning rate, highest",
    "batch_size_low": "Batch size, smallest",
    "batch_size_high": "Batch size, largest",
    "dropout_low": "Dropout, lowest",
    "dropout_high": "Dropout, highest",
    "optimizers": "Optimisers",
    "hidden_units_low": "Width, fewest units",
    "hidden_units_high": "Width, most units",
    "depth_low": "Depth, fewest layers",
    "depth_high": "Depth, most layers",
    "method": "Method",
    "budget": "Trial budget",
    "parallel": "Parallel trials",
    "pruner": "Pruning",
    "dataset": "Table",
    "epochs": "Epochs per trial",
}
HELP = {
    "method": "Grid tries points of a coarse grid (3 values per range) in a shuffled order. "
    "Random draws each value at random. TPE and the Gaussian process (Bayesian) learn from "
    "finished trials where the good values are. On a few settings and a small budget the "
    "Gaussian process usually finds good values soonest; TPE copes better with many settings "
    "and long studies.",
    "pruner": "Pruning stops a trial early when its validation accuracy lags behind earlier "
    "trials at the same epoch, so the budget goes to promising settings.",
    "parallel": "How many trials train at the same time (each is a run on the server).",
    "learning_rate": "Searched on a log scale: 0.0001 to 0.001 gets as many trials as "
    "0.01 to 0.1. Set both ends equal to keep a setting fixed.",
}


def _pair(name: str, defaults: SearchSpace, errors: dict[str, str], **kw: Any) -> list[Any]:
    """Two number inputs side by side for a range's ends, each with its own message."""
    values = []
    for column, end in zip(st.columns(2), ("low", "high"), strict=True):
        field = f"{name}_{end}"
        with column:
            values.append(
                st.number_input(
                    LABELS[field], value=getattr(defaults, field), key=f"hp_{field}", **kw
                )
            )
            _errors(errors, field)
    return values


def _errors(errors: dict[str, str], *fields: str) -> None:
    for field in fields:
        if field in errors:
            st.error(f"{LABELS.get(field, field)}: {errors[field]}.", icon=":material/error:")


def study_form(errors: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Draw the form; returns (settings, space) when Start is pressed, else None."""
    space, settings = SearchSpace(), StudySettings()
    with st.form("tuning_study"):
        st.markdown("**Search space**")
        lr = _pair(
            "learning_rate", space, errors, format="%g", step=0.0001, help=HELP["learning_rate"]
        )
        batch = _pair("batch_size", space, errors, step=1)
        dropout = _pair("dropout", space, errors, format="%.2f", step=0.05)
        width = _pair("hidden_units", space, errors, step=1)
        depth = _pair("depth", space, errors, step=1)
        optimizers = st.pills(
            LABELS["optimizers"],
            OPTIMIZERS,
            selection_mode="multi",
            default=list(space.optimizers),
            format_func=OPTIMIZER_NAMES.__getitem__,
            key="hp_optimizers",
        )
        _errors(errors, "optimizers")
        st.markdown("**Search**")
        method = st.segmented_control(
            LABELS["method"],
            list(METHODS),
            default=settings.method,
            format_func=METHODS.__getitem__,
            help=HELP["method"],
            key="hp_method",
        )
        cols = st.columns(3)
        budget = cols[0].number_input(LABELS["budget"], 1, 100, settings.budget, key="hp_budget")
        parallel = cols[1].number_input(
            LABELS["parallel"], 1, 4, settings.parallel, help=HELP["parallel"], key="hp_parallel"
        )
        epochs = cols[2].number_input(LABELS["epochs"], 1, 50, settings.epochs, key="hp_epochs")
        _errors(errors, "method", "budget", "parallel", "epochs")
        pruner = st.segmented_control(
            LABELS["pruner"],
            list(PRUNERS),
            default=settings.pruner,
            format_func=PRUNERS.__getitem__,
            help=HELP["pruner"],
            key="hp_pruner",
        )
        dataset = st.selectbox(
            LABELS["dataset"],
            TUNING_DATASETS,
            format_func=lambda d: d.replace("-", " ").title(),
            key="hp_dataset",
        )
        _errors(errors, "pruner", "dataset", "settings", "space")
        started = st.form_submit_button(
            "Start the study", type="primary", icon=":material/play_arrow:", width="stretch"
        )
    if not started:
        return None
    space_values = {
        "learning_rate_low": lr[0], "learning_rate_high": lr[1],
        "batch_size_low": batch[0], "batch_size_high": batch[1],
        "dropout_low": dropout[0], "dropout_high": dropout[1],
        "hidden_units_low": width[0], "hidden_units_high": width[1],
        "depth_low": depth[0], "depth_high": depth[1],
        "optimizers": list(optimizers or []),
    }  # fmt: skip
    # segmented_control returns None when the learner clicks the chosen option again.
    settings_values = {
        "method": method or settings.method,
        "pruner": pruner or settings.pruner,
        "budget": int(budget),
        "parallel": int(parallel),
        "epochs": int(epochs),
        "dataset": dataset,
    }
    return settings_values, space_values

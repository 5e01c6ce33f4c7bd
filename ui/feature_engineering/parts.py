"""The four parts of the feature engineering lab page."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from classroom.access import Actor
from engine.data import DataError
from engine.data.message_text import count
from engine.features import evaluate, redundancy, tables, transforms
from engine.features.config import Encoder, FeatureConfig, Imputer, Scaler
from labs import evidence
from labs.feature_engineering import LAB, LEAK_SEED
from ui.feature_engineering.charts import before_after_chart, correlation_heatmap, selection_figure
from ui.runs.results import render_objectives


@st.cache_data(show_spinner=False, max_entries=32)
def cached_table(name: str) -> tuple[pd.DataFrame, str]:
    """A bundled table or an upload (callers check the learner may use it first)."""
    return tables.load_table(name)


def cached_curves(name: str, config_json: str) -> dict[str, Any]:
    """Every selection method's accuracy curve on a table (seconds of work: 2 to 7 s of CPU
    for the bundled tables). Those are kept on disk, so the server computes each once, not
    once per start; an upload's stay in memory (they belong to one learner)."""
    if name.startswith("upload:"):
        return _upload_curves(name, config_json)
    return _bundled_curves(name, config_json)


def _curves(name: str, config_json: str) -> dict[str, Any]:
    frame, target = cached_table(name)
    return evaluate.curves_for_table(FeatureConfig.model_validate_json(config_json), frame, target)


@st.cache_data(show_spinner=False, max_entries=32, persist="disk")
def _bundled_curves(name: str, config_json: str) -> dict[str, Any]:
    return _curves(name, config_json)


@st.cache_data(show_spinner=False, max_entries=32)
def _upload_curves(name: str, config_json: str) -> dict[str, Any]:
    return _curves(name, config_json)


def numeric_columns(frame: pd.DataFrame, target: str) -> list[str]:
    return [c for c in frame.columns if c != target and pd.api.types.is_numeric_dtype(frame[c])]


def render_scaling(frame: pd.DataFrame, target: str) -> None:
    st.dataframe(frame.head(50), hide_index=True, height=220)
    st.caption(
        f"{count(len(frame), 'row')} · missing values per column: "
        + ", ".join(f"{c} {n}" for c, n in frame.isna().sum().items() if n)
        or "none"
    )
    numbers = numeric_columns(frame, target)
    left, right = st.columns(2)
    column = left.selectbox("Column", numbers, key="fe_scale_column")
    scaler = (
        right.segmented_control(
            "Scaler", ["standard", "minmax", "robust"], default="standard", key="fe_scaler"
        )
        or "standard"
    )
    data = transforms.before_after(frame, target, column, scaler)
    st.altair_chart(before_after_chart(data))
    st.caption(
        "The shape stays the same; only the axis moves. Scalers are fitted on the "
        "training rows, so no information leaks from validation or test rows."
    )


def config_form(frame: pd.DataFrame, target: str) -> FeatureConfig | None:
    numbers = numeric_columns(frame, target)
    others = [c for c in frame.columns if c != target]
    with st.form("fe_config"):
        a, b, c = st.columns(3)
        imputers: list[Imputer] = ["median", "mean", "knn", "iterative"]
        scalers: list[Scaler] = ["standard", "minmax", "robust", "none"]
        encoders: list[Encoder] = ["onehot", "ordinal"]
        imputer = a.selectbox("Fill gaps with", imputers)
        scaler = b.selectbox("Scale numbers", scalers)
        encoder = c.selectbox("Encode categories", encoders)
        polynomial = st.multiselect("Polynomial features (squares and products)", numbers)
        ratio = st.multiselect("A ratio: first column divided by second", numbers, max_selections=2)
        bins = st.multiselect("Cut into 4 bins", numbers)
        drop = st.multiselect("Leave out", others)
        pressed = st.form_submit_button("Evaluate", type="primary")
    if not pressed:
        return None
    ratios = [(ratio[0], ratio[1])] if len(ratio) == 2 else []
    return FeatureConfig(
        imputer=imputer,
        scaler=scaler,
        encoder=encoder,
        polynomial=polynomial,
        ratios=ratios,
        bins=dict.fromkeys(bins, 4),
        drop=drop,
    )


def render_build(actor: Actor, frame: pd.DataFrame, target: str) -> None:
    config = config_form(frame, target)
    if config is None:
        st.info(
            "Choose how to build the features, then press Evaluate. The result is "
            "compared with the default features on the same validation rows."
        )
        return
    try:
        with st.spinner("Fitting on the training rows…"):
            result = evaluate.compare(FeatureConfig(), config, frame, target)
    except (DataError, ValueError) as exc:
        st.error(str(exc))
        return
    before, after = result["before"], result["after"]
    cols = st.columns(2)
    cols[0].metric(
        "Validation accuracy",
        f"{after['accuracy']:.1%}",
        f"{result['accuracy_change']:+.1%} vs default",
    )
    cols[1].metric(
        "Features", after["n_features"], f"{result['feature_change']:+d}", delta_color="inverse"
    )
    st.caption(f"Default features: {before['n_features']} at {before['accuracy']:.1%}.")
    extraction = bool(config.polynomial or config.ratios or config.bins)
    for kind in ("new-feature-helps", "fewer-features"):
        outcome = {"kind": kind, **result, "extraction_used": extraction}
        render_objectives(evidence.record_objective(actor, LAB.id, outcome))


def render_selection(name: str) -> None:
    st.write(
        "Three families pick features in different ways: a **filter** scores each "
        "column alone, a **wrapper** tries subsets with a model, an **embedded** method "
        "lets the model's own training decide."
    )
    if not st.button("Compare selection methods", icon=":material/insights:"):
        return
    with st.spinner(
        "Scoring every method at every number of features (a few seconds, only the first time)…",
        show_time=True,
    ):
        curves = cached_curves(name, FeatureConfig().model_dump_json())
    st.plotly_chart(
        selection_figure(curves["points"], curves["all_features_accuracy"]), key="fe_selection"
    )
    best = pd.DataFrame(
        [
            {
                "method": m,
                "features kept": b["k"],
                "accuracy": b["accuracy"],
                "which": ", ".join(b["features"]),
            }
            for m, b in curves["best"].items()
        ]
    )
    st.dataframe(
        best,
        hide_index=True,
        column_config={"accuracy": st.column_config.NumberColumn(format="percent")},
    )
    rfecv = curves["rfecv"]
    st.caption(
        f"RFECV, which chooses the count by cross-validation, keeps "
        f"{rfecv['n_features']}: {', '.join(rfecv['features'])}."
    )


def render_leaks(actor: Actor, frame: pd.DataFrame, target: str) -> None:
    leaky, leak = tables.with_planted_leak(frame, target, LEAK_SEED)
    st.write(
        "This copy of the table has one extra column. Find the one that gives the answer away."
    )
    threshold = st.slider("Show pairs with |r| above", 0.5, 0.99, 0.9, key="fe_threshold")
    st.altair_chart(
        correlation_heatmap(
            redundancy.correlation_cells(redundancy.correlation_matrix(leaky, target))
        )
    )
    pairs = redundancy.redundant_pairs(leaky, threshold, target)
    st.dataframe(pd.DataFrame(pairs, columns=["column", "near-copy of", "r"]), hide_index=True)
    if st.toggle("Score each column on its own", key="fe_single_scores"):
        scores = redundancy.single_feature_scores(leaky, target)
        st.dataframe(
            pd.DataFrame(scores, columns=["column alone", "validation accuracy"]), hide_index=True
        )
        st.caption("A real measurement rarely predicts the label perfectly by itself.")
    answer = st.text_input("Which column leaks the answer?", key="fe_leak_answer")
    if answer:
        outcome = {"kind": "name-the-leak", "correct": redundancy.check_leak_answer(answer, leak)}
        render_objectives(evidence.record_objective(actor, LAB.id, outcome))

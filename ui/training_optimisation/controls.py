"""The optimisation lab's settings: every technique, grouped, with a live schedule preview.

Plain widgets, not a form: the schedule preview must redraw as the learner changes it."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from classroom import runs
from classroom.access import Actor, NotFound
from engine.data import DataError, load_bundle
from engine.jobs import RunStatus
from engine.spec import OPTIMIZER_NAMES, RunSpec, SpecError, parse_spec
from engine.training.optim import LearningRatePreview, preview_learning_rates
from engine.training.parallel import batch_shape
from labs.first_network import BATCH_SIZES, LEARNING_RATES
from labs.run_pairs import gpu_count, label, transfer_mismatch, validation_accuracy

DATASETS = {
    "digits": "All digits 0-9",
    "digits-0-4": "Digits 0-4 (a source for transfer)",
    "digits-5-9": "Digits 5-9 (a target for transfer)",
}
SCHEDULES = {
    "none": "Constant",
    "step": "Step: multiply by the factor every few epochs",
    "exponential": "Exponential: multiply by the factor every epoch",
    "cosine": "Cosine: glide down to zero",
    "plateau": "Plateau: cut when validation stops improving",
    "onecycle": "One cycle: rise, then fall",
}
WEIGHT_DECAYS = (0.0, 1e-5, 1e-4, 1e-3, 1e-2, 0.1)
CLIP_LIMITS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0)
HELP = {
    "batch_norm": "Rescales each layer's outputs over the batch, so deeper layers see steady "
    "inputs and can take larger steps.",
    "dropout": "Switches off a random share of units at each step, so the network cannot "
    "lean on any single one: a guard against memorising.",
    "optimizer": "Adam and RMSprop adapt each weight's step size; SGD takes plain steps, "
    "helped by momentum; AdamW is Adam with weight decay kept apart from the gradient.",
    "momentum": "SGD only: keep a share of the previous step, so steps build up speed in a "
    "steady direction.",
    "weight_decay": "Pulls every weight a little towards zero at each step: smaller weights, "
    "simpler networks.",
    "schedule": "How the learning rate changes during the run.",
    "warmup_epochs": "Start at a tenth of the rate and rise to it over these epochs: big rates "
    "are safer once the weights have settled a little.",
    "early_stopping_patience": "Stop when the validation loss has not improved for this many "
    "epochs (0: train every epoch).",
    "restore_best": "After stopping early, go back to the weights of the best epoch.",
    "clip": "Caps the size of each step's gradient, so one bad batch cannot throw the "
    "weights far away.",
    "device": "Where the arithmetic happens. Auto uses a GPU when the server has one.",
    "mixed_precision": "Compute layers in a 16-bit format: faster on GPUs, with the weights "
    "kept in 32 bits. bf16 runs on CPUs too; fp16 needs a GPU.",
    "data_parallel": "Several worker processes each train on part of every batch stream and "
    "average their gradients.",
    "parallel_batch": "Split: the workers share each batch, so only the number of workers "
    "changes. Own batch: each worker takes a whole batch, so the effective batch grows and an "
    "epoch has fewer steps.",
    "train_limit": "Keep only this many labelled training examples (0: all of them).",
    "pretrained_from": "Start from the features a finished digits 0-4 run learned; only the "
    "output layer starts fresh.",
    "freeze_pretrained": "Keep the reused layers fixed (except the last dense layer) and "
    "train only the top.",
}


def transfer_sources(actor: Actor) -> list[RunStatus]:
    """The learner's finished runs on digits 0-4: the models a transfer run can start from."""
    return [
        r for r in runs.my_runs(actor) if r.status == "done" and r.spec["dataset"] == "digits-0-4"
    ]


def source_label(run: RunStatus) -> str:
    """A transfer source, with its validation accuracy (its test score waits for the final
    test: choosing a source by it would tune the choice to the test set)."""
    spec, accuracy = run.spec, validation_accuracy(run.result or {}) or 0.0
    return (
        f"Run {run.id} · {spec['model']} · {spec['hidden_units']} units · depth {spec['depth']}"
        f" · {accuracy:.1%} validation"
    )


def optimisation_controls(
    defaults: RunSpec, sources: list[RunStatus], errors: dict[str, str]
) -> dict[str, Any] | None:
    """Draw every control; returns the settings when Train is pressed, else None."""
    for field, message in errors.items():
        st.error(f"**{label(field).capitalize()}**: {message}.")
    values = _basics(defaults)
    with st.expander("Network", icon=":material/hub:"):
        values |= _network(defaults)
    with st.expander("Optimiser", icon=":material/speed:"):
        values |= _optimiser(defaults)
    with st.expander("Learning-rate schedule", icon=":material/show_chart:", expanded=True):
        values |= _schedule(defaults)
        _preview(values)
    with st.expander("Early stopping and clipping", icon=":material/content_cut:"):
        values |= _stopping_and_clipping(defaults)
    with st.expander("Hardware", icon=":material/memory:"):
        values |= _hardware(defaults)
    with st.expander("Transfer learning and few labels", icon=":material/move_up:"):
        values |= _transfer(defaults, sources)
    pressed = st.button("Train", type="primary", icon=":material/play_arrow:", width="stretch")
    return values if pressed else None


def _basics(d: RunSpec) -> dict[str, Any]:
    dataset = st.selectbox(
        "Data", list(DATASETS), format_func=DATASETS.__getitem__, key="opt_dataset"
    )
    model = st.segmented_control(
        "Model",
        ["dense", "cnn"],
        default=d.model,
        key="opt_model",
        format_func=lambda m: "CNN" if m == "cnn" else "Dense",
    )
    return {
        "dataset": dataset,
        "model": model or d.model,  # clicking the chosen option again clears it
        "epochs": st.slider("Epochs", 1, 100, d.epochs, key="opt_epochs"),
        "batch_size": st.select_slider("Batch size", BATCH_SIZES, d.batch_size, key="opt_batch"),
    }


def _network(d: RunSpec) -> dict[str, Any]:
    return {
        "hidden_units": st.select_slider(
            "Hidden units", (16, 32, 64, 128, 256), d.hidden_units, key="opt_units"
        ),
        "depth": st.slider("Depth (hidden layers or blocks)", 1, 4, d.depth, key="opt_depth"),
        "batch_norm": st.toggle(
            "Batch normalisation", d.batch_norm, key="opt_bn", help=HELP["batch_norm"]
        ),
        "dropout": st.slider(
            "Dropout", 0.0, 0.8, d.dropout, 0.05, key="opt_dropout", help=HELP["dropout"]
        ),
    }


def _optimiser(d: RunSpec) -> dict[str, Any]:
    name = st.selectbox(
        "Optimiser",
        list(OPTIMIZER_NAMES),
        format_func=OPTIMIZER_NAMES.__getitem__,
        key="opt_optimizer",
        help=HELP["optimizer"],
    )
    sgd = name == "sgd"
    return {
        "optimizer": name,
        "learning_rate": st.select_slider(
            "Learning rate", LEARNING_RATES, d.learning_rate, key="opt_lr"
        ),
        "momentum": st.slider(
            "Momentum",
            0.0,
            0.99,
            d.momentum,
            0.01,
            key="opt_momentum",
            disabled=not sgd,
            help=HELP["momentum"],
        ),
        "nesterov": st.checkbox(
            "Nesterov momentum", d.nesterov, key="opt_nesterov", disabled=not sgd
        ),
        "weight_decay": st.select_slider(
            "Weight decay",
            WEIGHT_DECAYS,
            d.weight_decay,
            key="opt_wd",
            format_func=lambda v: f"{v:g}",
            help=HELP["weight_decay"],
        ),
    }


def _schedule(d: RunSpec) -> dict[str, Any]:
    schedule = st.selectbox(
        "Schedule",
        list(SCHEDULES),
        format_func=SCHEDULES.__getitem__,
        key="opt_schedule",
        help=HELP["schedule"],
    )
    left, right = st.columns(2)
    return {
        "schedule": schedule,
        "step_size": left.number_input(
            "Step size (epochs)",
            1,
            100,
            d.step_size,
            key="opt_step",
            help="Step: epochs between cuts. Plateau: epochs without improvement before a cut.",
            disabled=schedule not in ("step", "plateau"),
        ),
        "gamma": right.slider(
            "Factor",
            0.05,
            0.95,
            d.gamma,
            0.05,
            key="opt_gamma",
            help="What the rate is multiplied by at each cut.",
            disabled=schedule not in ("step", "exponential", "plateau"),
        ),
        "warmup_epochs": st.number_input(
            "Warm-up epochs", 0, 50, d.warmup_epochs, key="opt_warmup", help=HELP["warmup_epochs"]
        ),
    }


@st.cache_data(max_entries=32, show_spinner=False)
def _train_rows(dataset: str, train_limit: int | None) -> int:
    """How many training examples a dataset gives (the same for every learner: no user data)."""
    return len(load_bundle(RunSpec(dataset=dataset, train_limit=train_limit)).y_train)


def _preview(values: dict[str, Any]) -> None:
    wanted = {
        k: st.session_state.get(k) for k in ("opt_workers", "opt_limit", "opt_parallel_batch")
    }
    try:
        spec = parse_spec(
            values
            | {
                "data_parallel": wanted["opt_workers"] or 1,
                "parallel_batch": wanted["opt_parallel_batch"] or "global",
                "train_limit": wanted["opt_limit"] or None,
            }
        )
        rows = _train_rows(spec.dataset, spec.train_limit)
    except SpecError as exc:
        st.caption("No preview yet: " + "; ".join(f"{label(f)} {m}" for f, m in exc.errors.items()))
        return
    except DataError as exc:
        st.caption(f"No preview: {exc}")
        return
    batches = batch_shape(spec.batch_size, spec.data_parallel, spec.parallel_batch, rows)[
        "steps_per_epoch"
    ]
    st.plotly_chart(
        schedule_preview_figure(preview_learning_rates(spec, batches)),
        key="opt_schedule_preview",
        width="stretch",
        config={"displayModeBar": False},
    )
    if spec.schedule == "plateau":
        st.caption("Plateau cuts depend on the validation loss, which is unknown before training.")


def schedule_preview_figure(preview: LearningRatePreview) -> go.Figure:
    """The rate along the steps (line) and at each epoch's end (dots, as the run logs it)."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=preview.step_epochs, y=preview.step_rates, name="each step", mode="lines")
    )
    fig.add_trace(
        go.Scatter(x=preview.epochs, y=preview.epoch_rates, name="end of epoch", mode="markers")
    )
    fig.update_layout(
        height=220,
        margin={"l": 50, "r": 10, "t": 30, "b": 40},
        xaxis_title="epoch",
        yaxis=schedule_axis(preview.step_rates + preview.epoch_rates),
        showlegend=False,
        uirevision="schedule-preview",
        title={"text": schedule_summary(preview), "font": {"size": 13}},
        hovermode="x",
    )
    return fig


def schedule_axis(rates: list[float]) -> dict[str, Any]:
    """A linear axis from 0 to just above the highest rate, with plain tick labels: plotly's
    own range for a constant line (0.001) ran from -1 to 1 and drew the line flat at 0."""
    top = max(rates, default=0.0) or 1.0
    return {
        "title": {"text": "learning rate"},
        "range": [0, top * 1.15],
        "tickformat": "~g",
        "hoverformat": ".3~g",
        "rangemode": "tozero",
    }


def schedule_summary(preview: LearningRatePreview) -> str:
    """The rates in words: where the schedule starts, peaks and ends."""
    rates = preview.step_rates or preview.epoch_rates
    if not rates:
        return ""
    first, last, peak = rates[0], rates[-1], max(rates)
    if max(rates) - min(rates) <= 1e-12 * max(peak, 1e-12):
        return f"Constant at {first:.3g}"
    text = f"Starts at {first:.3g}"
    if peak > first * 1.001 and peak > last * 1.001:
        text += f", peaks at {peak:.3g}"
    return text + f", ends at {last:.3g}"


def _stopping_and_clipping(d: RunSpec) -> dict[str, Any]:
    patience = st.number_input(
        "Early-stopping patience (epochs)",
        0,
        100,
        d.early_stopping_patience,
        key="opt_patience",
        help=HELP["early_stopping_patience"],
    )
    restore = st.checkbox(
        "Restore the best epoch",
        d.restore_best,
        key="opt_restore",
        disabled=not patience,
        help=HELP["restore_best"],
    )
    clip = st.radio(
        "Gradient clipping",
        ["off", "norm", "value"],
        horizontal=True,
        key="opt_clip",
        help=HELP["clip"],
    )
    limit = st.select_slider(
        "Clipping limit", CLIP_LIMITS, 1.0, key="opt_clip_limit", disabled=clip == "off"
    )
    return {
        "early_stopping_patience": int(patience),
        "restore_best": restore,
        "clip_grad_norm": limit if clip == "norm" else None,
        "clip_grad_value": limit if clip == "value" else None,
    }


def _hardware(d: RunSpec) -> dict[str, Any]:
    gpus = gpu_count()
    if gpus == 0:
        st.info(
            "This server has no GPU, so runs train on the CPU: 'auto' picks the CPU and "
            "'cuda' is refused. Of the mixed-precision formats only bf16 runs on a CPU.",
            icon=":material/info:",
        )
    else:
        st.caption(f"This server has {gpus} GPU(s); 'auto' trains on the first.")
    chosen: dict[str, Any] = {
        "device": st.radio(
            "Device",
            ["auto", "cpu", "cuda"],
            horizontal=True,
            key="opt_device",
            help=HELP["device"],
        ),
        "mixed_precision": st.radio(
            "Mixed precision",
            ["off", "bf16", "fp16"],
            horizontal=True,
            key="opt_precision",
            help=HELP["mixed_precision"],
        ),
        "data_parallel": st.select_slider(
            "Data-parallel workers",
            WORKER_COUNTS,
            d.data_parallel,
            key="opt_workers",
            help=HELP["data_parallel"],
        ),
    }
    return chosen | {"parallel_batch": _parallel_batch(d, chosen["data_parallel"])}


# Every batch size the lab offers (8 to 256) splits evenly between 1, 2 or 4 workers.
WORKER_COUNTS = (1, 2, 4)
PARALLEL_BATCHES = {
    "global": "Split each batch between the workers",
    "per_worker": "Give each worker a batch of its own",
}


def _parallel_batch(d: RunSpec, workers: int) -> str:
    """How the workers share a batch, with the batch each one takes and the batch per step."""
    choice = st.radio(
        "How the workers share a batch",
        list(PARALLEL_BATCHES),
        index=list(PARALLEL_BATCHES).index(d.parallel_batch),
        format_func=PARALLEL_BATCHES.__getitem__,
        key="opt_parallel_batch",
        disabled=workers < 2,
        help=HELP["parallel_batch"],
    )
    size = st.session_state.get("opt_batch") or d.batch_size
    if workers > 1 and choice == "global" and size % workers:
        st.caption(f"A batch of {size} does not split evenly between {workers} workers.")
    elif workers > 1:
        shape = batch_shape(size, workers, choice)
        st.caption(
            f"Each optimiser step averages {shape['global_batch']} examples (the effective "
            f"batch); each of the {workers} workers takes {shape['worker_batch']} of them."
        )
    # one worker has nobody to share with: store the default, so that runs with one worker
    # never differ in a setting that changes nothing for them
    return str(choice) if workers > 1 else "global"


def _transfer(d: RunSpec, sources: list[RunStatus]) -> dict[str, Any]:
    limit = st.number_input(
        "Training examples (0: all)", 0, 5000, 0, step=10, key="opt_limit", help=HELP["train_limit"]
    )
    if not sources:
        st.caption("Train a run on 'Digits 0-4' first; it then appears here as a source.")
    by_id = {r.id: r for r in sources}
    source = st.selectbox(
        "Start from",
        [None, *by_id],
        key="opt_source",
        help=HELP["pretrained_from"],
        format_func=lambda i: (
            "Random weights (from scratch)" if i is None else source_label(by_id[i])
        ),
    )
    freeze = st.checkbox(
        "Freeze the reused layers",
        d.freeze_pretrained,
        key="opt_freeze",
        disabled=source is None,
        help=HELP["freeze_pretrained"],
    )
    return {
        "train_limit": int(limit) or None,
        "pretrained_from": source,
        "freeze_pretrained": freeze and source is not None,
    }


def submit_settings(
    actor: Actor, values: dict[str, Any], sources: list[RunStatus]
) -> tuple[int | None, dict[str, str]]:
    """Queue the run, or return a message per setting that cannot run (nothing is queued)."""
    try:
        spec = parse_spec(values)
        source = next((s for s in sources if s.id == spec.pretrained_from), None)
        mismatch = transfer_mismatch(values, source.spec) if source is not None else None
        if mismatch:
            return None, {"pretrained_from": mismatch}
        return runs.submit_run(actor, spec, "training-optimisation"), {}
    except SpecError as exc:
        return None, exc.errors
    except NotFound:
        return None, {"pretrained_from": "that run is not one of yours; pick another source"}

"""Lab: four data types (images, texts, sounds, tables), the models that suit each, and
the same model tried on two of them.

Objective checks get one finished run's outcome ({"status", "spec", "result"}) with
"others": the outcomes of the learner's other finished runs in this lab, so a check can
compare runs. Thresholds were measured with the default settings on a CPU (a few seconds
to a minute per run) and leave a margin below what those runs reach.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from engine.data import DataError, dataset_kind
from engine.spec import DATASET_KINDS, MODELS_FOR_KIND, RunSpec
from labs.hints import ladder
from labs.objectives import Objective, RunOutcome
from labs.registry_types import Lab
from labs.run_pairs import validation_accuracy

LAB_ID = "data-types"
KINDS = ("image", "text", "audio", "tabular")
TEXT_TARGET = 0.85  # an LSTM reached 0.89-0.91 in 4-6 epochs; a bag of words about 0.80
AUDIO_TARGET = 0.90  # a CNN on MFCC features reached 0.95-0.96 in 6 epochs
TABULAR_TARGET = 0.95  # a dense network on penguins reached 0.97-0.99 in 10 epochs
# What "the same model" means across data types: the network's shape, not how it is trained.
MODEL_SETTINGS = ("model", "hidden_units", "depth", "dropout", "batch_norm")
SEQUENCE_MODELS = ("lstm", "transformer")

DEFAULT_SPECS: dict[str, RunSpec] = {
    "image": RunSpec(dataset="digits", model="cnn", epochs=5, learning_rate=0.003),
    "text": RunSpec(dataset="competency-sentences", model="lstm", epochs=6, learning_rate=0.003),
    "audio": RunSpec(
        dataset="sounds", model="cnn", audio_features="mfcc", epochs=6, learning_rate=0.003
    ),
    "tabular": RunSpec(dataset="penguins", model="dense", epochs=10, learning_rate=0.003),
}
KIND_NAMES = {"image": "images", "text": "texts", "audio": "sounds", "tabular": "tables"}


# --- reading outcomes ----------------------------------------------------------------------


def run_kind(outcome: RunOutcome) -> str | None:
    """image, text, audio or tabular for a run's dataset; None if it cannot be told."""
    dataset = str((outcome.get("spec") or {}).get("dataset", ""))
    if dataset in DATASET_KINDS:
        return DATASET_KINDS[dataset]
    try:
        return dataset_kind(dataset)
    except (DataError, OSError, KeyError, ValueError):
        return None  # an upload whose files are gone


def accuracy(outcome: RunOutcome) -> float:
    """A run's validation accuracy: the objectives choose and compare on it, never on test."""
    return validation_accuracy(outcome.get("result") or {}) or 0.0


def finished(outcome: RunOutcome) -> bool:
    return outcome.get("status") == "done" and accuracy(outcome) > 0


def all_runs(outcome: RunOutcome) -> list[RunOutcome]:
    """This run, then the learner's other finished runs in the lab."""
    return [outcome, *(outcome.get("others") or [])]


def done_runs(outcome: RunOutcome, kind: str | None = None) -> list[RunOutcome]:
    return [o for o in all_runs(outcome) if finished(o) and (kind is None or run_kind(o) == kind)]


def setting(outcome: RunOutcome, name: str) -> Any:
    spec = outcome.get("spec") or {}
    return spec.get(name, RunSpec.model_fields[name].default)


def model_settings(outcome: RunOutcome) -> tuple[Any, ...]:
    return tuple(setting(outcome, name) for name in MODEL_SETTINGS)


def describe_model(outcome: RunOutcome) -> str:
    """The model's shape in words, such as "dense, 64 units, depth 2"."""
    model = str(setting(outcome, "model"))
    text = f"{model.upper() if model in ('cnn', 'lstm') else model}, "
    text += f"{setting(outcome, 'hidden_units')} units, depth {setting(outcome, 'depth')}"
    if setting(outcome, "dropout"):
        text += f", dropout {setting(outcome, 'dropout'):g}"
    if setting(outcome, "batch_norm"):
        text += ", batch norm"
    return text


def _best(runs: Iterable[RunOutcome]) -> RunOutcome | None:
    return max(runs, key=accuracy, default=None)


# --- image: a CNN beats a dense network on the same images --------------------------------


def cnn_dense_pairs(outcome: RunOutcome) -> list[tuple[RunOutcome, RunOutcome]]:
    """(CNN run, dense run) pairs on the same images with the same number of epochs, each
    including this run."""
    if not finished(outcome) or run_kind(outcome) != "image":
        return []
    mine = setting(outcome, "model")
    if mine not in ("cnn", "dense"):
        return []
    pairs = []
    for other in done_runs(outcome, "image")[1:]:
        same_data = setting(other, "dataset") == setting(outcome, "dataset")
        same_epochs = setting(other, "epochs") == setting(outcome, "epochs")
        wanted = "dense" if mine == "cnn" else "cnn"
        if same_data and same_epochs and setting(other, "model") == wanted:
            pairs.append((outcome, other) if mine == "cnn" else (other, outcome))
    return pairs


def cnn_beats_dense(outcome: RunOutcome) -> bool:
    return any(accuracy(cnn) > accuracy(dense) for cnn, dense in cnn_dense_pairs(outcome))


def image_hints(outcome: RunOutcome) -> list[str]:
    images = done_runs(outcome, "image")
    if not images:
        return [
            "Train a CNN on the Image tab, then a dense network on the same images with "
            "the same number of epochs, and compare their validation accuracy."
        ]
    pairs = _all_image_pairs(images)
    won = [(c, d) for c, d in pairs if accuracy(c) > accuracy(d)]
    if won:
        cnn, dense = won[0]
        return [
            f"On validation, your CNN ({accuracy(cnn):.1%}) already beat your dense network "
            f"({accuracy(dense):.1%}) on {setting(cnn, 'dataset')}: open either run to see it."
        ]
    if pairs:
        cnn, dense = pairs[0]
        return [
            f"On {setting(cnn, 'dataset')} your dense network ({accuracy(dense):.1%} on "
            "validation) did as "
            f"well as the CNN ({accuracy(cnn):.1%}). Give both the same extra help: a learning "
            "rate of 0.003 or a few more epochs (the same for both). The CNN's filters need "
            "some epochs to learn strokes, and then they find them anywhere in the picture."
        ]
    last = images[0]
    model, epochs = setting(last, "model"), setting(last, "epochs")
    other = "dense network" if model == "cnn" else "CNN"
    return [
        f"Your {describe_model(last)} run on {setting(last, 'dataset')} trained for {epochs} "
        f"epochs and reached {accuracy(last):.1%} validation accuracy. Train a {other} on "
        "the same images for "
        f"{epochs} epochs, so the model is the only difference between the two runs."
    ]


def _all_image_pairs(images: list[RunOutcome]) -> list[tuple[RunOutcome, RunOutcome]]:
    pairs = []
    for cnn in (r for r in images if setting(r, "model") == "cnn"):
        for dense in (r for r in images if setting(r, "model") == "dense"):
            if all(setting(cnn, k) == setting(dense, k) for k in ("dataset", "epochs")):
                pairs.append((cnn, dense))
    return pairs


# --- text, audio and tables: a suitable model reaches a target ------------------------------


def _reaches(outcome: RunOutcome, kind: str, models: tuple[str, ...], target: float) -> bool:
    return (
        finished(outcome)
        and run_kind(outcome) == kind
        and setting(outcome, "model") in models
        and accuracy(outcome) >= target
    )


def text_sequence_model(outcome: RunOutcome) -> bool:
    return _reaches(outcome, "text", SEQUENCE_MODELS, TEXT_TARGET)


def text_hints(outcome: RunOutcome) -> list[str]:
    texts = done_runs(outcome, "text")
    sequence = [r for r in texts if setting(r, "model") in SEQUENCE_MODELS]
    if not texts:
        return [
            "Train an LSTM on the Text tab. It reads the words one after another, so the "
            "order of the words counts, as it does when you read."
        ]
    hints = []
    best = _best(sequence)
    if best is None:
        dense = max(texts, key=accuracy)
        hints.append(
            f"Your dense model reached {accuracy(dense):.1%} validation accuracy: it averages "
            "the word vectors "
            "and forgets the order of the words. Choose LSTM or transformer, which read the "
            "sentence in order."
        )
        return hints
    model, epochs = setting(best, "model"), setting(best, "epochs")
    hints.append(
        f"Your best {model} run reached {accuracy(best):.1%} validation accuracy after "
        f"{epochs} epochs; the "
        f"target is {TEXT_TARGET:.0%}."
    )
    if model == "transformer":
        hints.append(
            "A transformer learns which words to attend to from many examples; with about "
            "1,800 sentences an LSTM usually gets there in fewer epochs. Try LSTM, or give "
            "the transformer more epochs and a learning rate of 0.001."
        )
    else:
        hints.append("Train for a few more epochs, or try a learning rate of 0.003.")
    if int(setting(best, "text_max_tokens")) < 16:
        hints.append(
            f"With at most {setting(best, 'text_max_tokens')} tokens, the ends of longer "
            "sentences are cut off before the model reads them. Raise the token limit."
        )
    return hints


def audio_cnn(outcome: RunOutcome) -> bool:
    return _reaches(outcome, "audio", ("cnn",), AUDIO_TARGET)


def audio_hints(outcome: RunOutcome) -> list[str]:
    sounds = done_runs(outcome, "audio")
    if not sounds:
        return ["Train a CNN on the Audio tab: it reads the spectrogram as a picture."]
    cnns = [r for r in sounds if setting(r, "model") == "cnn"]
    best = _best(cnns)
    if best is None:
        return [
            f"Your dense network reached {accuracy(max(sounds, key=accuracy)):.1%} validation "
            "accuracy. It sees the "
            "spectrogram as one long list of numbers, so it cannot tell that neighbouring "
            "frequencies and moments belong together. Choose CNN."
        ]
    hints = [
        f"Your best CNN reached {accuracy(best):.1%} validation accuracy with "
        f"{setting(best, 'audio_features')} "
        f"features; the target is {AUDIO_TARGET:.0%}."
    ]
    if setting(best, "audio_features") == "spectrogram":
        hints.append(
            "The full spectrogram has 129 frequency rows, most of them noise. MFCC features "
            "squeeze it into 20 numbers per moment on the mel scale, which is how ears "
            "space pitches: switch the features to MFCC."
        )
    hints.append("Train for a few more epochs, or try a learning rate of 0.003.")
    return hints


def tabular_dense(outcome: RunOutcome) -> bool:
    return _reaches(outcome, "tabular", ("dense",), TABULAR_TARGET)


def tabular_hints(outcome: RunOutcome) -> list[str]:
    tables = done_runs(outcome, "tabular")
    best = _best(tables)
    if best is None:
        return ["Train a dense network on the Tabular tab, on the penguins or your own table."]
    hints = [
        f"Your best run on a table reached {accuracy(best):.1%} validation accuracy on "
        f"{setting(best, 'dataset')}; the target is {TABULAR_TARGET:.0%}."
    ]
    if str(setting(best, "dataset")).startswith("upload:"):
        hints.append(
            "Your own table may simply hold less evidence about the label. Try the penguins "
            "table to see the target reached, then compare what the two tables contain."
        )
    hints.append(
        f"It trained for {setting(best, 'epochs')} epochs. Small tables train in seconds, "
        "so try 20 or 30 epochs, or a learning rate of 0.01."
    )
    return hints


# --- across types: the same model on two data types ----------------------------------------


def cross_type_partners(outcome: RunOutcome) -> list[RunOutcome]:
    """Other finished runs with this run's model settings on another data type."""
    if not finished(outcome):
        return []
    kind, shape = run_kind(outcome), model_settings(outcome)
    return [
        other
        for other in done_runs(outcome)[1:]
        if run_kind(other) not in (None, kind) and model_settings(other) == shape
    ]


def same_model_two_types(outcome: RunOutcome) -> bool:
    return bool(cross_type_partners(outcome))


def cross_type_hints(outcome: RunOutcome) -> list[str]:
    runs = done_runs(outcome)
    if not runs:
        return [
            "Train one model on two tabs with the same model settings (model, units, "
            "depth), for example a dense network on the Image tab and on the Tabular tab."
        ]
    latest = runs[0]
    shape, model = model_settings(latest), setting(latest, "model")
    kinds = {run_kind(r) for r in runs if model_settings(r) == shape} - {None}
    fitting = [k for k in KINDS if k not in kinds and model in MODELS_FOR_KIND[k]]
    where = " or ".join(f"the {k.title()} tab" for k in fitting)
    tried = " and ".join(KIND_NAMES[k] for k in KINDS if k in kinds) or "one data type"
    if not fitting and len(kinds) > 1:
        return [f"Your runs of {describe_model(latest)} on {tried} already show it."]
    if not fitting:  # an LSTM or transformer fits texts only
        name = "An LSTM" if model == "lstm" else "A transformer"
        return [
            f"{name} reads only texts. Choose a dense network (it fits every data type) "
            "or a CNN (images and sounds), and train it on two tabs."
        ]
    return [
        f"You have trained {describe_model(latest)} on {tried} only. Train the same model "
        f"settings on {where} and compare the results.",
        "Only the data type should change: keep the model, units and depth as they are "
        "(the 'Use my last model' button copies them).",
    ]


def comparison_rows(outcomes: Iterable[RunOutcome]) -> list[dict[str, Any]]:
    """One row per run for a side-by-side table: type, data, model and results. Runs are
    compared on validation accuracy: the test score waits for the learner's final test."""
    rows = []
    for o in outcomes:
        result = o.get("result") or {}
        rows.append(
            {
                "data type": run_kind(o) or "unknown",
                "dataset": setting(o, "dataset"),
                "model": describe_model(o),
                "epochs": setting(o, "epochs"),
                "validation accuracy": validation_accuracy(result) or 0.0,
                "weights": int(result.get("parameters") or 0),
                "seconds": round(float(result.get("seconds") or 0.0), 1),
            }
        )
    return rows


# --- worked solutions (the last step of help), measured with these settings on a CPU --------

SOLUTIONS = {
    "image": "On the Image tab keep the handwritten digits, 5 epochs and a learning rate of "
    "0.003. Train the CNN, then switch the model to Dense and train again without changing "
    "anything else. In our runs the CNN reached about 97% and the dense network about 95%.",
    "text": "On the Text tab choose LSTM, 6 epochs, a learning rate of 0.003, 32 tokens per "
    "text and a vocabulary of 2,000 words. In our runs this reached about 90%.",
    "audio": "On the Audio tab choose MFCC features and a CNN, 6 epochs and a learning rate "
    "of 0.003. In our runs this reached about 95%.",
    "tabular": "On the Tabular tab choose the penguins, a dense network, 10 epochs and a "
    "learning rate of 0.003. In our runs this reached about 98%.",
    "cross-type": "Train a dense network with 64 units and depth 2 on the Image tab (the "
    "digits), then open the Tabular tab, press 'Use my last model' and train it on the "
    "penguins. The same network shape reads 64 pixels in one run and 10 encoded columns "
    "in the other.",
}


def _solution(key: str) -> Callable[[RunOutcome], str]:
    return lambda outcome: SOLUTIONS[key]


# --- hint ladders: a nudge first, then the hints computed from the learner's runs ------------

NUDGES = {
    "image": "Look at the validation accuracy of a CNN and a dense network trained on the "
    "same images for the same number of epochs: a CNN looks at small patches of neighbouring "
    "pixels, a dense network treats each pixel on its own.",
    "text": "Look at whether your model reads the words in order: a dense model averages the "
    "word vectors, while an LSTM or a transformer reads the sentence as a sequence.",
    "audio": "Look at the spectrogram preview on the Audio tab: time runs along one side and "
    "pitch along the other, so neighbouring cells belong together, as pixels do in a picture.",
    "tabular": "Look at the table's columns: each is a separate measurement or category, in "
    "no order, which is what a dense network expects once numbers are scaled and "
    "categories encoded.",
    "cross-type": "Look at which models each tab offers: "
    + "; ".join(
        f"{', '.join(m.upper() if m in ('cnn', 'lstm') else m for m in MODELS_FOR_KIND[k])} "
        f"for {KIND_NAMES[k]}"
        for k in KINDS
    )
    + ". A model offered on two tabs can be trained on both: keep its settings and change "
    "only the tab.",
}


def _laddered(
    key: str, hints: Callable[[RunOutcome], list[str]]
) -> Callable[[RunOutcome], list[str]]:
    return lambda outcome: ladder(NUDGES[key], hints(outcome))


# --- the lab ---------------------------------------------------------------------------------

IMAGE_OBJECTIVE = Objective(
    id="image-cnn-beats-dense",
    text=(
        "Show a CNN beating a dense network on validation accuracy, on the same images with "
        "the same epochs"
    ),
    check=cnn_beats_dense,
    hints=_laddered("image", image_hints),
    solution=_solution("image"),
)
TEXT_OBJECTIVE = Objective(
    id="text-sequence-model",
    text=f"Reach {TEXT_TARGET:.0%} validation accuracy on texts with an LSTM or a transformer",
    check=text_sequence_model,
    hints=_laddered("text", text_hints),
    solution=_solution("text"),
)
AUDIO_OBJECTIVE = Objective(
    id="audio-cnn",
    text=(
        f"Reach {AUDIO_TARGET:.0%} validation accuracy on sounds with a CNN reading their "
        "spectrograms"
    ),
    check=audio_cnn,
    hints=_laddered("audio", audio_hints),
    solution=_solution("audio"),
)
TABULAR_OBJECTIVE = Objective(
    id="tabular-dense",
    text=f"Reach {TABULAR_TARGET:.0%} validation accuracy on a table with a dense network",
    check=tabular_dense,
    hints=_laddered("tabular", tabular_hints),
    solution=_solution("tabular"),
)
CROSS_TYPE_OBJECTIVE = Objective(
    id="same-model-two-types",
    text="Train the same model settings on two different data types",
    check=same_model_two_types,
    hints=_laddered("cross-type", cross_type_hints),
    solution=_solution("cross-type"),
)
OBJECTIVE_FOR_KIND = {
    "image": IMAGE_OBJECTIVE,
    "text": TEXT_OBJECTIVE,
    "audio": AUDIO_OBJECTIVE,
    "tabular": TABULAR_OBJECTIVE,
}

LAB = Lab(
    id=LAB_ID,
    title="Data types: one model does not fit all",
    competencies=("cognitive-flexibility",),
    default_spec=DEFAULT_SPECS["image"],
    objectives=(*OBJECTIVE_FOR_KIND.values(), CROSS_TYPE_OBJECTIVE),
)

"""train(model, split) of an exported script: epochs, validation, plateau steps and early
stopping, in the order engine.training.single.Training.run does them."""

from __future__ import annotations

from engine.export_templates import Piece, fill, piece, setting, when
from engine.export_templates.schedules import schedule_kind
from engine.spec import RunSpec

EARLY_STOPPING = """
    # Early stopping: after each epoch, compare the validation loss with the best so far;
    # after PATIENCE epochs without improvement, stop@@restore_note@@
    best_loss, bad_epochs@@best_state_name@@ = float("inf"), 0@@best_state_value@@
"""
EARLY_CHECK = """
    if val_loss < best_loss - 1e-6:  # an improvement
        best_loss, bad_epochs = val_loss, 0
        @@keep_best@@
    else:
        bad_epochs += 1
    if bad_epochs >= PATIENCE:
        print(f"stopped early: the validation loss has not improved for {PATIENCE} epochs")
        @@restore@@
        break
"""
PARALLEL = """
    # The app trained this run on {n} processes (DistributedDataParallel): each took its own
    # share of every epoch and the gradients were averaged after each step. This script
    # trains in a single process on all the data, so its numbers differ a little.
"""


def _early_stopping(spec: RunSpec) -> tuple[str, str]:
    """The set-up before the first epoch and the check after each one."""
    if not spec.early_stopping_patience:
        return "", ""
    restore = spec.restore_best
    setup = (
        EARLY_STOPPING.replace(
            "@@restore_note@@",
            ",\n    # and go back to the weights of the best epoch." if restore else ".",
        )
        .replace("@@best_state_name@@", ", best_state" if restore else "")
        .replace("@@best_state_value@@", ", None" if restore else "")
    )
    check = fill(
        EARLY_CHECK,
        keep_best=when(restore, "best_state = copy.deepcopy(model.state_dict())"),
        restore=when(
            restore,
            "if best_state is not None:\n    model.load_state_dict(best_state)  # the best epoch",
        ),
    )
    return setup, check


def epoch_params(spec: RunSpec, augment: bool) -> list[str]:
    """The parameters of train_one_epoch, which train passes on by the same names."""
    params = ["model", "loader", "optimizer", "epoch"]
    kind = schedule_kind(spec)
    params += {"batch": ["schedule"], "plateau+warmup": ["warmup"]}.get(kind, [])
    if spec.mixed_precision == "fp16":
        params.append("scaler")
    if augment:
        params.append("generator")
    return params


def _epoch_call(spec: RunSpec, augment: bool) -> str:
    args = ", ".join(epoch_params(spec, augment))
    if len(args) <= 46:  # fits on the line after "train_loss, train_accuracy = "
        return f"train_one_epoch({args})"
    # Indented as the template's loop body (dedented by 8 when filled).
    return f"train_one_epoch(\n{' ' * 20}{args}\n{' ' * 16})"


def train_piece(spec: RunSpec, augment: bool) -> Piece:

    kind = schedule_kind(spec)
    make = {
        "batch": "schedule = make_schedule(optimizer, len(loader))",
        "plateau": "plateau = make_schedule(optimizer, len(loader))",
        "plateau+warmup": "warmup, plateau = make_schedule(optimizer, len(loader))",
    }.get(kind, "")
    after_epoch = {
        "plateau": "plateau.step(val_loss)  # may lower the learning rate",
        "plateau+warmup": "if epoch > WARMUP_EPOCHS:\n    plateau.step(val_loss)  # may lower it",
    }.get(kind, "")
    extras = [make]
    if spec.mixed_precision == "fp16":
        extras.append('scaler = torch.amp.GradScaler("cuda", enabled=AMP_DTYPE is not None)')
    if augment:
        extras.append("generator = torch.Generator().manual_seed(SEED + 1)  # augmentation's")
    setup, check = _early_stopping(spec)
    template = '''
        @@parallel@@
        def train(model, split):
            """Train for up to EPOCHS epochs, checking the validation part after each one;
            returns how many epochs ran."""
            params = [p for p in model.parameters() if p.requires_grad]
            optimizer = make_optimizer(params)
            loader = make_loader(split.x_train, split.y_train, BATCH_SIZE, shuffle=True)
            @@extras@@
            val_loader = make_loader(split.x_val, split.y_val, 512, shuffle=False)
            @@setup@@
            for epoch in range(1, EPOCHS + 1):
                train_loss, train_accuracy = @@call@@
                val_loss, val_accuracy, _ = evaluate(model, val_loader)
                rate = optimizer.param_groups[0]["lr"]
                print(
                    f"epoch {epoch}: train loss {train_loss:.4f}, accuracy {train_accuracy:.3f}; "
                    f"validation loss {val_loss:.4f}, accuracy {val_accuracy:.3f} (lr {rate:.3g})"
                )
                @@after_epoch@@
                @@check@@
            return epoch
    '''
    code = fill(
        template.replace("@@call@@", _epoch_call(spec, augment)),
        parallel=when(spec.data_parallel > 1, PARALLEL.format(n=spec.data_parallel)),
        extras="\n".join(e for e in extras if e),
        setup=setup,
        after_epoch=after_epoch,
        check=check,
    )
    settings = []
    if spec.early_stopping_patience:
        settings.append(setting("PATIENCE", spec.early_stopping_patience, "early stopping"))
    imports = ["import copy"] if spec.early_stopping_patience and spec.restore_best else []
    return piece(code, imports, settings)

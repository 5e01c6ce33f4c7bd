"""The learning-rate schedule of an exported script, built and stepped as
engine.training.optim.LearningRatePlan does it (warm-up and most schedules after every batch,
reduce-on-plateau after every epoch)."""

from __future__ import annotations

from engine.export_templates import Piece, fill, piece, setting, when
from engine.spec import RunSpec

MAIN = {
    "step": (
        "# Step decay: multiply the learning rate by GAMMA every STEP_SIZE epochs: big steps\n"
        "# first, finer ones later. Stepped every batch, so STEP_SIZE epochs of batches.\n"
        "main = lr_scheduler.StepLR(optimizer, step_size=STEP_SIZE * batches_per_epoch, "
        "gamma=GAMMA)"
    ),
    "exponential": (
        "# Exponential decay: the learning rate is multiplied by GAMMA after every epoch.\n"
        "main = lr_scheduler.StepLR(optimizer, step_size=batches_per_epoch, gamma=GAMMA)"
    ),
    "cosine": (
        "# Cosine annealing: the learning rate falls from its start to 0 along half a cosine\n"
        "# wave: slowly at first, fastest in the middle, slowly at the end.\n"
        "main = lr_scheduler.CosineAnnealingLR(optimizer, T_max=main_steps)"
    ),
    "onecycle": (
        "# One cycle: the learning rate climbs to LEARNING_RATE over the first 30% of the\n"
        "# steps, then falls far below where it started.\n"
        "main = lr_scheduler.OneCycleLR(optimizer, max_lr=LEARNING_RATE, total_steps=main_steps)"
    ),
    "plateau": (
        "# Reduce on plateau: when the validation loss has not improved for STEP_SIZE epochs,\n"
        "# multiply the learning rate by GAMMA (checked after every epoch).\n"
        "main = lr_scheduler.ReduceLROnPlateau(optimizer, factor=GAMMA, "
        "patience=max(0, STEP_SIZE - 1))"
    ),
}
WARMUP = """
    # Warm-up: start at a tenth of the learning rate and climb to it, batch by batch, over
    # WARMUP_EPOCHS epochs, so the first noisy steps cannot throw the weights far off.
    warmup = lr_scheduler.LinearLR(
        optimizer, start_factor=0.1, end_factor=1.0, total_iters=warmup_steps
    )
"""


def schedule_kind(spec: RunSpec) -> str:
    """none | batch (stepped every batch) | plateau (every epoch) | plateau+warmup (both)."""
    if spec.schedule == "plateau":
        return "plateau+warmup" if spec.warmup_epochs else "plateau"
    if spec.schedule == "none" and not spec.warmup_epochs:
        return "none"
    return "batch"


def schedule_piece(spec: RunSpec) -> Piece:
    warm = spec.warmup_epochs > 0
    has_main = spec.schedule != "none"
    if not has_main:
        ending = "return warmup"
    elif spec.schedule == "plateau":
        ending = "return warmup, main  # warm-up batch by batch, then the plateau rule"
        ending = ending if warm else "return main"
    elif warm:
        ending = (
            "# First the warm-up, then the main schedule.\n"
            "return lr_scheduler.SequentialLR(optimizer, [warmup, main], milestones=[warmup_steps])"
        )
    else:
        ending = "return main"
    main_steps = spec.schedule in ("cosine", "onecycle")
    template = '''
        def make_schedule(optimizer, batches_per_epoch):
            """The learning rate over the run (the app builds these in the same order)."""
            @@warmup_steps@@
            @@main_steps@@
            @@main@@
            @@warmup@@
            @@ending@@
    '''
    code = fill(
        template,
        warmup_steps=when(warm, "warmup_steps = WARMUP_EPOCHS * batches_per_epoch"),
        main_steps=when(
            main_steps,
            "main_steps = max(1, EPOCHS * batches_per_epoch"
            + (" - warmup_steps)" if warm else ")")
            + "  # steps after any warm-up",
        ),
        main=MAIN.get(spec.schedule, ""),
        warmup=when(warm, WARMUP),
        ending=ending,
    )
    settings = []
    if spec.schedule in ("step", "plateau"):
        settings.append(setting("STEP_SIZE", spec.step_size, "epochs"))
    if spec.schedule in ("step", "exponential", "plateau"):
        settings.append(setting("GAMMA", spec.gamma, "decay factor"))
    if warm:
        settings.append(setting("WARMUP_EPOCHS", spec.warmup_epochs))
    return piece(code, ["from torch.optim import lr_scheduler"], settings)

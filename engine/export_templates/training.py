"""The "training" section of an exported script: the optimiser, the learning-rate schedule,
augmentation, mixed precision, clipping and early stopping, as engine.training does them."""

from __future__ import annotations

import textwrap

from engine.export_templates import Piece, expression, fill, piece, setting, when
from engine.export_templates.loop import epoch_params, train_piece
from engine.export_templates.schedules import schedule_kind, schedule_piece
from engine.spec import RunSpec
from engine.training.augment import wants_augmentation

OPTIMIZERS = {
    "sgd": (
        "SGD",
        "Stochastic gradient descent with momentum: each step moves the weights against a",
        "running average of recent gradients, LEARNING_RATE times its size.",
    ),
    "adam": (
        "Adam",
        "Adam: every weight gets its own step size, from running averages of its gradient",
        "and of its squared gradient.",
    ),
    "adamw": (
        "AdamW",
        "AdamW: Adam with decoupled weight decay: the weights shrink by LEARNING_RATE x",
        "WEIGHT_DECAY each step, apart from the gradient step.",
    ),
    "rmsprop": (
        "RMSprop",
        "RMSprop: each gradient is divided by a running average of its recent size, so",
        "every weight moves at a similar pace.",
    ),
}


def optimizer_piece(spec: RunSpec) -> Piece:
    name, *comment = OPTIMIZERS[spec.optimizer]
    args = ["params", "lr=LEARNING_RATE"]
    device = (
        'torch.device("cpu")'
        if spec.device == "cpu"
        else 'torch.device("cuda" if torch.cuda.is_available() else "cpu")'
    )
    settings = [
        expression("DEVICE", device, f"the app's setting: {spec.device}"),
        setting("BATCH_SIZE", spec.batch_size),
        setting("EPOCHS", spec.epochs),
        setting("LEARNING_RATE", spec.learning_rate),
    ]
    if spec.optimizer == "sgd":
        args.append("momentum=MOMENTUM")
        settings.append(setting("MOMENTUM", spec.momentum))
        if spec.nesterov and spec.momentum > 0:  # torch refuses Nesterov without momentum
            args.append("nesterov=True")
            comment.append("Nesterov: the gradient is taken one momentum step ahead.")
    if spec.weight_decay or spec.optimizer == "adamw":
        args.append("weight_decay=WEIGHT_DECAY")
        settings.append(setting("WEIGHT_DECAY", spec.weight_decay))
        if spec.optimizer != "adamw":
            comment += [
                "Weight decay (L2): adds WEIGHT_DECAY x weight to every gradient, pulling",
                "weights towards 0 so that none grows large without need.",
            ]
    lines = "".join(f"    # {line}\n" for line in comment)
    call = f"torch.optim.{name}({', '.join(args)})"
    if len(call) > 88:  # one argument a line would be long; two lines read better
        call = f"torch.optim.{name}(\n        {', '.join(args)}\n    )"
    code = f"def make_optimizer(params):\n{lines}    return {call}"
    return piece(code, ["import torch"], settings)


def augment_piece(spec: RunSpec) -> Piece:
    flip = """
        if AUGMENT_FLIP:  # mirror about half of the images left-right
            flip = draw(n) < 0.5
            x = torch.where(flip[:, None, None, None], x.flip(-1), x)
    """
    move = """
        # Shift by up to AUGMENT_SHIFT pixels and rotate by up to AUGMENT_ROTATE degrees.
        angle = (draw(n) * 2 - 1) * math.radians(AUGMENT_ROTATE)
        # affine_grid works in [-1, 1] coordinates: a shift of s pixels is 2s / size.
        shift_x = (draw(n) * 2 - 1) * (2 * AUGMENT_SHIFT / width)
        shift_y = (draw(n) * 2 - 1) * (2 * AUGMENT_SHIFT / height)
        cos, sin = torch.cos(angle), torch.sin(angle)
        theta = torch.stack(
            [torch.stack([cos, -sin, shift_x], 1), torch.stack([sin, cos, shift_y], 1)], 1
        )  # (N, 2, 3)
        grid = F.affine_grid(theta.to(x.dtype), list(x.shape), align_corners=False)
        x = F.grid_sample(x, grid, padding_mode="zeros", align_corners=False)
    """
    template = '''
        # Data augmentation: every training batch is changed at random, so the model sees a
        # slightly different picture each epoch and learns what stays the same. Validation
        # and test images are never changed.
        def augment_images(x, generator):
            """A randomly changed copy of a batch x: (N, C, H, W); labels stay as they are."""
            n, _, height, width = x.shape

            def draw(size):  # uniform numbers in [0, 1) from the augmentation's own generator
                return torch.rand(size, generator=generator).to(x.device)

            @@flip@@
            @@move@@
            return x
    '''
    moving = spec.augment_shift > 0 or spec.augment_rotate > 0
    return piece(
        fill(template, flip=when(spec.augment_flip, flip), move=when(moving, move)),
        ["import math", "import torch.nn.functional as F"] if moving else [],
        [
            setting("AUGMENT_FLIP", spec.augment_flip),
            setting("AUGMENT_SHIFT", spec.augment_shift, "pixels"),
            setting("AUGMENT_ROTATE", spec.augment_rotate, "degrees"),
        ],
    )


def precision_piece(spec: RunSpec) -> Piece:
    if spec.mixed_precision == "bf16":
        return piece(
            """
            # Mixed precision (bfloat16): inside autocast, matrix products and convolutions run
            # in bfloat16 (float32's range, fewer digits), faster and lighter on recent
            # hardware; the weights and the loss stay float32.
            def autocast():
                return torch.autocast(DEVICE.type, dtype=AMP_DTYPE)
            """,
            settings=[expression("AMP_DTYPE", "torch.bfloat16", "mixed precision")],
        )
    return piece(
        """
        # Mixed precision (float16): inside autocast, matrix products and convolutions run in
        # float16, much faster on GPUs; the weights and the loss stay float32. float16 has a
        # small range, so a GradScaler (in train_one_epoch) keeps small gradients from
        # rounding to 0.
        def autocast():
            enabled = AMP_DTYPE is not None
            return torch.autocast(DEVICE.type, dtype=AMP_DTYPE or torch.float32, enabled=enabled)
        """,
        settings=[
            expression(
                "AMP_DTYPE",
                'torch.float16 if DEVICE.type == "cuda" else None',
                "float16 needs a GPU",
            )
        ],
    )


def _step_block(spec: RunSpec, scaled: bool) -> str:
    by_value = """
        # Gradient clipping by value: every gradient entry is cut to [-CLIP_GRAD_VALUE,
        # CLIP_GRAD_VALUE], so one unusual batch cannot throw the weights far off.
        nn.utils.clip_grad_value_(model.parameters(), CLIP_GRAD_VALUE)
    """
    by_norm = """
        # Gradient clipping by norm: if all gradients together are longer than
        # CLIP_GRAD_NORM, they are scaled down to that length; their direction stays.
        nn.utils.clip_grad_norm_(model.parameters(), CLIP_GRAD_NORM)
    """
    clip = "\n".join(
        textwrap.dedent(block).strip("\n")
        for block, used in ((by_value, spec.clip_grad_value), (by_norm, spec.clip_grad_norm))
        if used is not None
    )
    if scaled:
        return fill(
            """
            # The scaler multiplies the loss so small float16 gradients survive, then divides
            # them back (unscale_); a step whose gradients overflowed is skipped.
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            @@clip@@
            scaler.step(optimizer)
            scaler.update()
            """,
            clip=clip,
        )
    template = """
        loss.backward()  # the gradient of the loss for every weight
        @@clip@@
        optimizer.step()
    """
    return fill(template, clip=clip)


def epoch_piece(spec: RunSpec, augment: bool) -> Piece:
    amp, scaled = spec.mixed_precision != "off", spec.mixed_precision == "fp16"
    kind = schedule_kind(spec)
    forward = (
        """
        with autocast():
            logits = model(xb)  # (N, classes)
            loss = nn.functional.cross_entropy(logits.float(), yb)  # the loss in float32
        """
        if amp
        else """
        logits = model(xb)  # (N, classes)
        loss = nn.functional.cross_entropy(logits, yb)  # softmax, then -log(p of true class)
        """
    )
    schedule = {
        "batch": "schedule.step()  # the app moves the schedule on after every batch",
        "plateau+warmup": "if epoch <= WARMUP_EPOCHS:  # then the plateau rule takes over\n"
        "    warmup.step()",
    }.get(kind, "")
    template = '''
        def train_one_epoch(@@params@@):
            """One pass over the training data in shuffled batches; mean loss and accuracy."""
            model.train()  # training mode: dropout drops, batch norm uses batch statistics
            loss_sum, correct, seen = 0.0, 0, 0
            for xb, yb in loader:
                xb, yb = xb.to(DEVICE), yb.to(DEVICE)
                @@augment@@
                @@forward@@
                if not math.isfinite(loss.item()):
                    raise Diverged(epoch, loss.item())
                optimizer.zero_grad(set_to_none=True)  # or the gradients would add up
                @@step@@
                @@schedule@@
                loss_sum += loss.item() * len(yb)
                correct += int((logits.argmax(1) == yb).sum())
                seen += len(yb)
            return loss_sum / seen, correct / seen
    '''
    code = fill(
        template.replace("@@params@@", ", ".join(epoch_params(spec, augment))),
        augment=when(augment, "xb = augment_images(xb, generator)  # new variations each time"),
        forward=forward,
        step=_step_block(spec, scaled),
        schedule=schedule,
    )
    settings = []
    if spec.clip_grad_value is not None:
        settings.append(setting("CLIP_GRAD_VALUE", spec.clip_grad_value))
    if spec.clip_grad_norm is not None:
        settings.append(setting("CLIP_GRAD_NORM", spec.clip_grad_norm))
    return piece(code, ["import math", "from torch import nn"], settings)


def diverged_piece(spec: RunSpec) -> Piece:
    advice = "Try a lower learning rate" + (
        ", or turn on gradient clipping"
        if spec.clip_grad_norm is None and spec.clip_grad_value is None
        else ""
    )
    return piece(
        f'''
        class Diverged(Exception):
            """The loss became infinite or NaN: the weights blew up."""

            def __init__(self, epoch, loss):
                message = f"The loss became {{loss}} in epoch {{epoch}}: the weights blew up."
                super().__init__(message + " {advice}.")
                self.epochs = epoch - 1  # epochs completed
        '''
    )


def training_pieces(spec: RunSpec, kind: str) -> list[Piece]:
    """Every piece of the training section; train(model, split) runs the epochs."""
    augment = kind == "image" and wants_augmentation(spec)
    pieces = [optimizer_piece(spec)]
    if schedule_kind(spec) != "none":
        pieces.append(schedule_piece(spec))
    if augment:
        pieces.append(augment_piece(spec))
    if spec.mixed_precision != "off":
        pieces.append(precision_piece(spec))
    pieces += [diverged_piece(spec), epoch_piece(spec, augment), train_piece(spec, augment)]
    return pieces

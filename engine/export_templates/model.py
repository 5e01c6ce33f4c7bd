"""The "model" section of an exported script: the engine's networks (engine.networks), written
out for one spec. Layers are created in the engine's order, so the same seed gives the same
starting weights."""

from __future__ import annotations

from engine.export_templates import Piece, fill, piece, setting, when
from engine.export_templates.files import HERE, HERE_IMPORT
from engine.spec import RunSpec

BATCH_NORM = """
# Batch normalisation: standardise each unit over the batch, then scale and
# shift it with learned numbers, which steadies training. In evaluation
# (model.eval()) it uses running averages collected during training instead.
"""
DROPOUT = """
# Dropout: in training, set each output to 0 with probability DROPOUT (and
# scale the rest up), so no unit can rely on another; model.eval() turns it off.
"""
TORCH = ["import torch", "from torch import nn"]


def _norm_and_dropout(spec: RunSpec) -> dict[str, str]:
    """The batch-norm and dropout lines a dense block appends, when the spec asks for them."""
    return {
        "batch_norm": when(
            spec.batch_norm, BATCH_NORM + "layers.append(nn.BatchNorm1d(HIDDEN_UNITS))"
        ),
        "dropout": when(spec.dropout, DROPOUT + "layers.append(nn.Dropout(DROPOUT))"),
    }


def classifier_piece(spec: RunSpec) -> Piece:
    return piece(
        '''
        class Classifier(nn.Module):
            """Feature layers (input -> HIDDEN_UNITS numbers), then a linear head with one score
            per class. Keeping the two apart lets transfer learning reuse the features."""

            def __init__(self, features, width, n_classes):
                super().__init__()
                self.features = features
                self.head = nn.Linear(width, n_classes)

            def forward(self, x):
                return self.head(self.features(x))  # (N, classes) scores, before softmax
        ''',
        TORCH,
        [
            setting("HIDDEN_UNITS", spec.hidden_units, "width of the hidden layers"),
            setting("DEPTH", spec.depth, "hidden layers, blocks or recurrent layers"),
        ],
    )


def dense_layers_piece(spec: RunSpec) -> Piece:
    parts = (
        "Linear"
        + " -> BatchNorm" * spec.batch_norm
        + " -> ReLU"
        + " -> Dropout" * bool(spec.dropout)
    )
    template = f'''
        def dense_layers(in_width, depth):
            """depth x [{parts}]: (N, in_width) -> (N, HIDDEN_UNITS)."""
            layers = []
            for _ in range(depth):
                layers.append(nn.Linear(in_width, HIDDEN_UNITS))
                @@batch_norm@@
                layers.append(nn.ReLU())
                @@dropout@@
                in_width = HIDDEN_UNITS
            return nn.Sequential(*layers)
    '''
    return piece(
        fill(
            template,
            **_norm_and_dropout(spec),
        ),
        TORCH,
        _regularisation(spec),
    )


def _regularisation(spec: RunSpec) -> list[tuple[str, str, str]]:
    out = [setting("BATCH_NORM", True)] if spec.batch_norm else []
    if spec.dropout:
        out.append(setting("DROPOUT", spec.dropout, "probability of zeroing a unit"))
    return out


def dense_piece() -> Piece:
    return piece(
        '''
        def make_features(split):
            """Each example flattened to one row of numbers, then DEPTH dense layers."""
            flat = math.prod(split.x_train.shape[1:])  # e.g. 1 x 8 x 8 pixels -> 64
            return nn.Sequential(nn.Flatten(), dense_layers(flat, DEPTH))  # (N, HIDDEN_UNITS)
        ''',
        ["import math"],
    )


def cnn_piece(spec: RunSpec) -> Piece:
    template = '''
        def make_features(split):
            """DEPTH convolution blocks with 32, 64, 128... channels, then one dense layer."""
            channels, height, width = split.x_train.shape[1:]
            layers = []
            for i in range(DEPTH):
                out = 32 * 2 ** min(i, 2)  # channels double block by block, up to 128
                # 3x3 filters slide over the image; padding 1 keeps height x width.
                layers.append(nn.Conv2d(channels, out, kernel_size=3, padding=1))
                @@batch_norm@@
                layers.append(nn.ReLU())
                # Pool after every second block and the last: tiny images (8x8 digits) keep
                # their detail while larger maps still shrink.
                if (i % 2 == 1 or i == DEPTH - 1) and min(height, width) >= 4:
                    layers.append(nn.MaxPool2d(2))  # (N, out, H/2, W/2)
                    height, width = height // 2, width // 2
                channels = out
            layers.append(nn.Dropout(0.25))  # part of the CNN: zero a quarter of the features
            layers.append(nn.Flatten())  # (N, channels * height * width)
            layers.append(dense_layers(channels * height * width, depth=1))
            return nn.Sequential(*layers)
    '''
    bn = BATCH_NORM + "layers.append(nn.BatchNorm2d(out))"
    return piece(fill(template, batch_norm=when(spec.batch_norm, bn)))


def post_piece(spec: RunSpec) -> Piece:
    if not (spec.batch_norm or spec.dropout):
        return piece(
            """
            def post_layers():
                return nn.Identity()  # no batch norm or dropout after the encoder
            """
        )
    template = """
        def post_layers():
            layers = []
            @@batch_norm@@
            @@dropout@@
            return nn.Sequential(*layers)
    """
    return piece(
        fill(
            template,
            **_norm_and_dropout(spec),
        ),
        settings=_regularisation(spec),
    )


def text_piece(spec: RunSpec) -> list[Piece]:
    if spec.model == "dense":
        return [dense_layers_piece(spec), piece(_BAG)]
    if spec.model == "lstm":
        lstm_dropout = (
            ",\n" + " " * 16 + "dropout=DROPOUT if DEPTH > 1 else 0.0,  # between stacked layers"
            if spec.dropout
            else ""
        )
        return [post_piece(spec), piece(_LSTM.replace("@dropout@", lstm_dropout))]
    # nn.TransformerEncoderLayer would drop 10% by default; the app passes its own setting.
    dropout = "DROPOUT" if spec.dropout else "0.0"
    return [post_piece(spec), piece(_TRANSFORMER.replace("@dropout@", dropout))]


_BAG = '''
    class BagOfEmbeddings(nn.Module):
        """The mean of the token embeddings (padding ignored), then dense layers: word order
        is lost, only which words occur counts."""

        def __init__(self, vocab_size):
            super().__init__()
            self.embed = nn.EmbeddingBag(vocab_size, HIDDEN_UNITS, mode="mean", padding_idx=0)
            self.dense = dense_layers(HIDDEN_UNITS, DEPTH)

        def forward(self, tokens):  # tokens: (N, L) int64, 0 = padding
            return self.dense(self.embed(tokens))


    def make_features(split):
        return BagOfEmbeddings(split.vocab_size)
'''
_LSTM = '''
    class LstmEncoder(nn.Module):
        """Reads the tokens in order; the last hidden state of the real (unpadded) tokens
        sums up the text."""

        def __init__(self, vocab_size):
            super().__init__()
            self.embed = nn.Embedding(vocab_size, HIDDEN_UNITS, padding_idx=0)  # id -> vector
            self.lstm = nn.LSTM(
                HIDDEN_UNITS, HIDDEN_UNITS, num_layers=DEPTH, batch_first=True@dropout@
            )
            self.post = post_layers()

        def forward(self, tokens):  # tokens: (N, L) int64, 0 = padding
            lengths = (tokens != 0).sum(1).clamp(min=1).cpu()
            # Packing tells the LSTM where each text ends, so padding never enters its memory.
            packed = nn.utils.rnn.pack_padded_sequence(
                self.embed(tokens), lengths, batch_first=True, enforce_sorted=False
            )
            _, (hidden, _) = self.lstm(packed)  # hidden: (DEPTH, N, HIDDEN_UNITS)
            return self.post(hidden[-1])


    def make_features(split):
        return LstmEncoder(split.vocab_size)
'''
_TRANSFORMER = '''
    class TransformerPool(nn.Module):
        """Self-attention over the tokens (with learned positions), then the mean over the
        real tokens."""

        def __init__(self, vocab_size, max_tokens):
            super().__init__()
            heads = next(n for n in (4, 2, 1) if HIDDEN_UNITS % n == 0)
            self.embed = nn.Embedding(vocab_size, HIDDEN_UNITS, padding_idx=0)
            self.position = nn.Embedding(max_tokens, HIDDEN_UNITS)
            layer = nn.TransformerEncoderLayer(
                HIDDEN_UNITS,
                heads,
                dim_feedforward=2 * HIDDEN_UNITS,
                dropout=@dropout@,  # inside attention and feed-forward layers
                batch_first=True,
            )
            self.encoder = nn.TransformerEncoder(
                layer, num_layers=DEPTH, enable_nested_tensor=False
            )
            self.post = post_layers()

        def forward(self, tokens):  # tokens: (N, L) int64, 0 = padding
            pad = tokens == 0  # (N, L)
            pad[:, 0] = False  # an empty text still attends to one position
            positions = torch.arange(tokens.shape[1], device=tokens.device)
            x = self.encoder(
                self.embed(tokens) + self.position(positions), src_key_padding_mask=pad
            )
            keep = (~pad).unsqueeze(-1).to(x.dtype)
            return self.post((x * keep).sum(1) / keep.sum(1))


    def make_features(split):
        return TransformerPool(split.vocab_size, split.x_train.shape[1])
'''


def transfer_piece(spec: RunSpec) -> Piece:
    freeze = """
        # Freezing: the reused layers keep what they learned, except the last dense layer,
        # which adapts to the new classes together with the new head.
        linears = [m for m in model.features.modules() if isinstance(m, nn.Linear)]
        keep = set(linears[-1].parameters()) if linears else set()
        for param in model.features.parameters():
            param.requires_grad_(param in keep)
    """
    template = f'''
        def load_pretrained(model):
            """Transfer learning: start the feature layers from run {spec.pretrained_from}'s trained
            model (pretrained.pt, copied beside this script); only the head starts fresh."""
            state = torch.load(HERE / "pretrained.pt", map_location="cpu", weights_only=True)
            features = {{
                key.removeprefix("features."): value
                for key, value in state.items()
                if key.startswith("features.")
            }}
            model.features.load_state_dict(features)
            @@freeze@@
    '''
    return piece(
        fill(template, freeze=when(spec.freeze_pretrained, freeze)),
        [HERE_IMPORT],
        [HERE],
    )


def model_pieces(spec: RunSpec, kind: str) -> list[Piece]:
    """Every piece of the model section; build_model(split) makes the network."""
    pieces = [classifier_piece(spec)]
    if kind == "text":
        pieces += text_piece(spec)
    elif spec.model == "cnn":
        pieces += [dense_layers_piece(spec), cnn_piece(spec)]
    else:
        pieces += [dense_layers_piece(spec), dense_piece()]
    pieces.append(
        piece(
            '''
            def build_model(split):
                """The network for this data: feature layers, then one output per class."""
                return Classifier(make_features(split), HIDDEN_UNITS, len(split.class_names))
            '''
        )
    )
    if spec.pretrained_from is not None:
        pieces.append(transfer_piece(spec))
    return pieces

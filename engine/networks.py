"""Networks per data type. Each is ``features`` (input -> vector) then a linear ``head``,
so transfer learning can keep the features and train a new head."""

from __future__ import annotations

import torch
from torch import nn

from engine.data import DataBundle
from engine.spec import RunSpec


class Classifier(nn.Module):
    def __init__(self, features: nn.Module, width: int, n_classes: int) -> None:
        super().__init__()
        self.features = features
        self.head = nn.Linear(width, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.head(self.features(x))  # calling a Module gives Any
        return logits


def _dense_layers(in_width: int, spec: RunSpec) -> nn.Sequential:
    """depth x [Linear -> (BatchNorm) -> ReLU -> (Dropout)]."""
    layers: list[nn.Module] = []
    width = in_width
    for _ in range(spec.depth):
        layers.append(nn.Linear(width, spec.hidden_units))
        if spec.batch_norm:
            layers.append(nn.BatchNorm1d(spec.hidden_units))
        layers.append(nn.ReLU())
        if spec.dropout:
            layers.append(nn.Dropout(spec.dropout))
        width = spec.hidden_units
    return nn.Sequential(*layers)


def dense_features(input_shape: tuple[int, ...], spec: RunSpec) -> nn.Module:
    flat = 1
    for size in input_shape:
        flat *= size
    return nn.Sequential(nn.Flatten(), _dense_layers(flat, spec))  # (N, hidden)


CNN_DROPOUT = 0.25  # after the convolutions; on the 8x8 digits it steadies test accuracy


def cnn_features(input_shape: tuple[int, ...], spec: RunSpec) -> nn.Module:
    """depth conv blocks (32, 64, 128, 128... channels; padding keeps the size). Pooling after
    every second block and the last keeps detail on tiny images (8x8 digits) while larger maps
    still shrink; then dropout and one dense layer. Depth 2 is the usual small-image CNN:
    conv 32, conv 64, max-pool, dropout, dense."""
    channels, height, width = input_shape
    layers: list[nn.Module] = []
    for i in range(spec.depth):
        out = 32 * 2 ** min(i, 2)
        layers += [nn.Conv2d(channels, out, kernel_size=3, padding=1)]
        if spec.batch_norm:
            layers.append(nn.BatchNorm2d(out))
        layers.append(nn.ReLU())
        if (i % 2 == 1 or i == spec.depth - 1) and min(height, width) >= 4:
            layers.append(nn.MaxPool2d(2))  # (N, out, H/2, W/2)
            height, width = height // 2, width // 2
        channels = out
    layers.append(nn.Dropout(CNN_DROPOUT))
    layers.append(nn.Flatten())
    layers.append(_dense_layers(channels * height * width, spec.model_copy(update={"depth": 1})))
    return nn.Sequential(*layers)


class BagOfEmbeddings(nn.Module):
    """Mean of the token embeddings (padding ignored), then dense layers: word order is lost."""

    def __init__(self, vocab_size: int, spec: RunSpec) -> None:
        super().__init__()
        self.embed = nn.EmbeddingBag(vocab_size, spec.hidden_units, mode="mean", padding_idx=0)
        self.dense = _dense_layers(spec.hidden_units, spec)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:  # tokens: (N, L) int64
        vectors: torch.Tensor = self.dense(self.embed(tokens))
        return vectors


class LstmEncoder(nn.Module):
    """Reads tokens in order; the last hidden state of the real (unpadded) tokens is kept."""

    def __init__(self, vocab_size: int, spec: RunSpec) -> None:
        super().__init__()
        h = spec.hidden_units
        self.embed = nn.Embedding(vocab_size, h, padding_idx=0)
        self.lstm = nn.LSTM(
            h,
            h,
            num_layers=spec.depth,
            batch_first=True,
            dropout=spec.dropout if spec.depth > 1 else 0.0,
        )
        self.post = _post_norm(spec)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        lengths = (tokens != 0).sum(1).clamp(min=1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(
            self.embed(tokens), lengths, batch_first=True, enforce_sorted=False
        )
        _, (hidden, _) = self.lstm(packed)  # hidden: (layers, N, h)
        vectors: torch.Tensor = self.post(hidden[-1])
        return vectors


class TransformerPool(nn.Module):
    """Self-attention over the tokens (with positions), then the mean over real tokens."""

    def __init__(self, vocab_size: int, max_tokens: int, spec: RunSpec) -> None:
        super().__init__()
        h = spec.hidden_units
        heads = next(n for n in (4, 2, 1) if h % n == 0)
        self.embed = nn.Embedding(vocab_size, h, padding_idx=0)
        self.position = nn.Embedding(max_tokens, h)
        layer = nn.TransformerEncoderLayer(
            h, heads, dim_feedforward=2 * h, dropout=spec.dropout, batch_first=True
        )
        self.encoder = nn.TransformerEncoder(
            layer, num_layers=spec.depth, enable_nested_tensor=False
        )
        self.post = _post_norm(spec)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        pad = tokens == 0  # (N, L)
        pad[:, 0] = False  # an empty text still attends to one position
        positions = torch.arange(tokens.shape[1], device=tokens.device)
        x = self.encoder(self.embed(tokens) + self.position(positions), src_key_padding_mask=pad)
        keep = (~pad).unsqueeze(-1).to(x.dtype)
        vectors: torch.Tensor = self.post((x * keep).sum(1) / keep.sum(1))
        return vectors


def _post_norm(spec: RunSpec) -> nn.Module:
    layers: list[nn.Module] = []
    if spec.batch_norm:
        layers.append(nn.BatchNorm1d(spec.hidden_units))
    if spec.dropout:
        layers.append(nn.Dropout(spec.dropout))
    return nn.Sequential(*layers)


def build_model(spec: RunSpec, data: DataBundle) -> Classifier:
    """The network the spec asks for, sized for this data."""
    if data.kind == "text":
        vocab = int(data.info.get("vocab_size", spec.vocab_size))
        if spec.model == "lstm":
            features: nn.Module = LstmEncoder(vocab, spec)
        elif spec.model == "transformer":
            features = TransformerPool(vocab, data.input_shape[0], spec)
        else:
            features = BagOfEmbeddings(vocab, spec)
    elif spec.model == "cnn":
        features = cnn_features(data.input_shape, spec)
    else:
        features = dense_features(data.input_shape, spec)
    return Classifier(features, spec.hidden_units, data.n_classes)

"""The "evaluation" section of an exported script, and main(): validation and test as
engine.training.single.evaluate does them, ending with one JSON line."""

from __future__ import annotations

from engine.export_templates import Piece, fill, piece, when
from engine.spec import RunSpec


def evaluation_pieces(spec: RunSpec) -> list[Piece]:
    forward = (
        "with autocast():\n    logits = model(xb).float()"
        if spec.mixed_precision != "off"
        else "logits = model(xb).float()  # (N, classes)"
    )
    template = '''
        @torch.no_grad()  # no gradients needed: faster and lighter
        def evaluate(model, loader):
            """Mean loss, accuracy and the predicted classes over a loader."""
            model.eval()  # evaluation mode: no dropout, batch norm uses its running averages
            total_loss, predictions = 0.0, []
            for xb, yb in loader:
                xb, yb = xb.to(DEVICE), yb.to(DEVICE)
                @@forward@@
                total_loss += nn.functional.cross_entropy(logits, yb, reduction="sum").item()
                predictions.append(logits.argmax(1).cpu().numpy())
            predictions = np.concatenate(predictions)
            labels = loader.dataset.tensors[1].numpy()
            return total_loss / len(labels), float((predictions == labels).mean()), predictions


        def test(model, split):
            """The test part, used once at the end: loss, accuracy and which classes the model
            mixes up (the confusion matrix)."""
            loader = make_loader(split.x_test, split.y_test, 512, shuffle=False)
            loss, accuracy, predictions = evaluate(model, loader)
            classes = list(range(len(split.class_names)))
            matrix = confusion_matrix(split.y_test, predictions, labels=classes)
            print("confusion matrix (rows: true class, columns: predicted class)")
            for name, row in zip(split.class_names, matrix, strict=True):
                print(f"  {name[:20]:>20} " + " ".join(f"{count:4d}" for count in row))
            print(f"test loss {loss:.4f}, test accuracy {accuracy:.4f}")
            return loss, accuracy
    '''
    return [
        piece(
            fill(template, forward=forward),
            [
                "import numpy as np",
                "import torch",
                "from torch import nn",
                "from sklearn.metrics import confusion_matrix",
            ],
        )
    ]


def main_piece(spec: RunSpec) -> Piece:
    template = """
        def main():
            # The app trains each run on one CPU thread. More threads add up sums in another
            # order, which changes the last digits of results; delete this line to use them all.
            torch.set_num_threads(1)
            split = load_data()
            @@limit@@
            print(
                f"{len(split.y_train)} training, {len(split.y_val)} validation and "
                f"{len(split.y_test)} test examples; classes: {', '.join(split.class_names)}"
            )
            # The same seed right before building the model gives the app's starting weights.
            torch.manual_seed(SEED)
            model = build_model(split).to(DEVICE)
            @@pretrained@@
            print(model)
            try:
                epochs = train(model, split)
            except Diverged as stop:
                print(stop)
                print(json.dumps({"test_accuracy": None, "epochs": stop.epochs}))
                raise SystemExit(1) from None
            test_loss, test_accuracy = test(model, split)
            summary = {"test_accuracy": test_accuracy, "test_loss": test_loss, "epochs": epochs}
            print(json.dumps(summary))  # the last line: easy for another program to read


        if __name__ == "__main__":
            main()
    """
    code = fill(
        template,
        limit=when(spec.train_limit is not None, "split = limit_training_rows(split)"),
        pretrained=when(spec.pretrained_from is not None, "load_pretrained(model)"),
    )
    return piece(code, ["import json", "import torch"])

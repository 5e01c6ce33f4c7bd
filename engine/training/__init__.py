"""Pieces of the training loop: optimisers and schedules, augmentation, precision, checkpoints."""

"""Every lab the app offers, by id."""

from __future__ import annotations

from labs import (
    data_types,
    feature_engineering,
    first_network,
    hyperparameter_tuning,
    model_card,
    pipeline_builder,
    teamwork,
    training_optimisation,
)
from labs.registry_types import Lab

LABS: dict[str, Lab] = {
    lab.id: lab for lab in (first_network.LAB, feature_engineering.LAB, pipeline_builder.LAB)
}
LABS[training_optimisation.LAB_ID] = training_optimisation.LAB
LABS[hyperparameter_tuning.LAB.id] = hyperparameter_tuning.LAB
LABS[data_types.LAB.id] = data_types.LAB
LABS[model_card.LAB.id] = model_card.LAB
LABS[teamwork.LAB.id] = teamwork.LAB
LAB_TITLES = {lab_id: lab.title for lab_id, lab in LABS.items()}


def get_lab(lab_id: str) -> Lab:
    return LABS[lab_id]

"""Every lab the app offers, by id."""

from __future__ import annotations

from labs import feature_engineering, first_network, pipeline_builder
from labs.registry_types import Lab

LABS: dict[str, Lab] = {
    lab.id: lab for lab in (first_network.LAB, feature_engineering.LAB, pipeline_builder.LAB)
}


def get_lab(lab_id: str) -> Lab:
    return LABS[lab_id]

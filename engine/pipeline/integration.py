"""Model integration: a stored version is trained through the engine's existing upload path.

RunSpec.dataset accepts only built-in names and "upload:<id>". Rather than widen it with a
"version:<hash>" kind (a second way in for every loader, check and access rule), a version is
stored once more as a tabular CSV upload through engine.data.uploads.store_csv_upload, with
the pipeline's target stage as the label column. The version row remembers that
"upload:<id>" name; runs train on it as on any upload, and a run's spec.dataset leads back
to its version (engine.pipeline.monitoring.metric_history).
"""

from __future__ import annotations

from sqlalchemy import update

from db.models import PipelineVersion
from db.session import write_session
from engine.data.bundle import DataError
from engine.data.uploads import store_csv_upload
from engine.pipeline.pipeline_spec import PipelineSpec
from engine.pipeline.versions import get_version, load_version


def version_dataset(owner_id: int, name: str, version: int) -> str:
    """The "upload:<id>" dataset name a RunSpec uses to train on a stored version."""
    info = get_version(owner_id, name, version)
    if info.dataset:
        return info.dataset
    target = PipelineSpec.model_validate(info.spec).target
    if target is None:
        raise DataError(
            f"Version {version} of {name!r} has no target: add a 'target' stage naming the "
            "column to predict, run the pipeline and save it again."
        )
    csv_bytes = load_version(owner_id, name, version).to_csv(index=False).encode("utf-8")
    upload_id = store_csv_upload(csv_bytes, f"{name} v{version}.csv", target, "tabular")
    dataset = f"upload:{upload_id}"
    with write_session() as session:
        session.execute(
            update(PipelineVersion)
            .where(
                PipelineVersion.owner_id == owner_id,
                PipelineVersion.pipeline_name == name,
                PipelineVersion.version == version,
            )
            .values(dataset=dataset)
        )
    return dataset

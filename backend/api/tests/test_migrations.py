"""The migrations build exactly the models' schema, and downgrade undoes them."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from backend.common.db.migrations import downgrade, upgrade
from backend.common.models import Base
from backend.common.testing.postgres import throwaway_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    with throwaway_database("lf_migrations") as url:
        yield url.render_as_string(hide_password=False)


def test_upgrade_head_matches_the_models_and_downgrade_undoes_it(empty_database: str) -> None:
    upgrade(empty_database)
    engine = create_engine(empty_database)
    try:
        with engine.connect() as conn:
            drift = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert drift == []
        assert set(inspect(engine).get_table_names()) == {
            *Base.metadata.tables,
            "alembic_version",
        }

        downgrade(empty_database, "base")
        engine.dispose()
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}

        upgrade(empty_database)
        engine.dispose()
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()

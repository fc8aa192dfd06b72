from collections.abc import Iterator

import pytest
from sqlalchemy import ForeignKey, Select, String, create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from backend.common.models.soft_delete import AuditLogMixin, SoftDeleteMixin, include_deleted
from backend.common.testing.postgres import throwaway_database


class Base(DeclarativeBase):
    pass


class Shelf(Base):
    __tablename__ = "shelf"
    id: Mapped[int] = mapped_column(primary_key=True)
    notes: Mapped[list["Note"]] = relationship(back_populates="shelf")


class Note(SoftDeleteMixin, AuditLogMixin, Base):
    __tablename__ = "note"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(100))
    shelf_id: Mapped[int | None] = mapped_column(ForeignKey("shelf.id"))
    shelf: Mapped[Shelf | None] = relationship(back_populates="notes")


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)],
)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = create_engine("sqlite://")
        Base.metadata.create_all(engine)
        yield engine
        engine.dispose()
        return
    with throwaway_database() as url:
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        yield engine
        engine.dispose()


@pytest.fixture()
def stored(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        kept, gone = Note(text="kept"), Note(text="gone")
        session.add_all([kept, gone])
        session.commit()
        return kept.id, gone.id


def _texts(session: Session, statement: Select[tuple[Note]] | None = None) -> list[str]:
    statement = select(Note).order_by(Note.id) if statement is None else statement
    return [note.text for note in session.scalars(statement)]


def test_soft_delete_hides_the_row_by_default(engine: Engine, stored: tuple[int, int]) -> None:
    _, gone_id = stored
    with Session(engine) as session:
        note = session.get(Note, gone_id)
        assert note is not None
        note.soft_delete()
        session.commit()

    with Session(engine) as session:
        assert _texts(session) == ["kept"]
        assert session.get(Note, gone_id) is None


def test_include_deleted_shows_the_row(engine: Engine, stored: tuple[int, int]) -> None:
    _, gone_id = stored
    with Session(engine) as session:
        session.get_one(Note, gone_id).soft_delete()
        session.commit()

    with Session(engine) as session:
        assert _texts(session, include_deleted(select(Note).order_by(Note.id))) == ["kept", "gone"]
        note = session.get(Note, gone_id, execution_options={"include_deleted": True})
        assert note is not None and note.is_deleted


def test_restore_brings_the_row_back(engine: Engine, stored: tuple[int, int]) -> None:
    _, gone_id = stored
    with Session(engine) as session:
        session.get_one(Note, gone_id).soft_delete()
        session.commit()
    with Session(engine) as session:
        note = session.scalars(include_deleted(select(Note).where(Note.id == gone_id))).one()
        note.restore()
        session.commit()

    with Session(engine) as session:
        assert _texts(session) == ["kept", "gone"]
        assert session.get_one(Note, gone_id).deleted_at is None


def test_deleted_rows_are_hidden_in_relationship_loads(engine: Engine) -> None:
    with Session(engine) as session:
        shelf = Shelf(notes=[Note(text="a"), Note(text="b")])
        session.add(shelf)
        session.commit()
        shelf.notes[0].soft_delete()
        session.commit()
        shelf_id = shelf.id

    with Session(engine) as session:
        # Joins see the criterion too, not only top-level selects.
        joined = select(Note.text).join(Shelf).where(Shelf.id == shelf_id)
        assert list(session.scalars(joined)) == ["b"]


def test_audit_columns_are_stamped(engine: Engine) -> None:
    with Session(engine) as session:
        note = Note(text="new")
        note.record_change("reporter-1")
        session.add(note)
        session.commit()
        created = note.created_at
        assert note.created_by == "reporter-1"
        assert note.updated_by == "reporter-1"

        note.text = "edited"
        note.record_change("admin")
        session.commit()

        assert note.created_by == "reporter-1"
        assert note.updated_by == "admin"
        assert note.updated_at >= created


def test_soft_delete_twice_keeps_the_first_time(engine: Engine, stored: tuple[int, int]) -> None:
    kept_id, _ = stored
    with Session(engine) as session:
        note = session.get_one(Note, kept_id)
        note.soft_delete()
        first = note.deleted_at
        note.soft_delete()
        assert note.deleted_at == first

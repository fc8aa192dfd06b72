"""The declarative base all tables share, with constraint names Alembic can diff and drop."""

from __future__ import annotations

import enum

from sqlalchemy import Enum, MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def enum_type(cls: type[enum.Enum]) -> Enum:
    """A state column: stored as its readable value (not a native enum), checked in Python."""
    return Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False, length=16)

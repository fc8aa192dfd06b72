"""Alembic migrations of the shared schema, runnable without an alembic.ini.

./pants run backend/api:migrate -- upgrade            # DATABASE_URL from the environment
./pants run backend/api:migrate -- revision -m "add x" --autogenerate
"""

from __future__ import annotations

import argparse
from pathlib import Path

from alembic import command
from alembic.config import Config

HERE = Path(__file__).resolve().parent


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(HERE / "versions"))
    # Alembic's config is a ConfigParser: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def main(argv: list[str] | None = None) -> None:
    from backend.common.log import configure_logging
    from backend.common.settings import ServiceSettings

    settings = ServiceSettings()
    configure_logging(settings.log_level, settings.log_format)
    parser = argparse.ArgumentParser(prog="migrate", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("upgrade", help="apply migrations (default: to head)")
    up.add_argument("revision", nargs="?", default="head")
    down = sub.add_parser("downgrade", help="revert migrations to a revision")
    down.add_argument("revision")
    sub.add_parser("current", help="show the database's revision")
    rev = sub.add_parser("revision", help="write a new migration script")
    rev.add_argument("-m", "--message", required=True)
    rev.add_argument("--autogenerate", action="store_true")
    args = parser.parse_args(argv)

    config = alembic_config(settings.database_url)
    if args.command == "upgrade":
        command.upgrade(config, args.revision)
    elif args.command == "downgrade":
        command.downgrade(config, args.revision)
    elif args.command == "current":
        command.current(config, verbose=True)
    else:
        command.revision(config, message=args.message, autogenerate=args.autogenerate)


if __name__ == "__main__":
    main()

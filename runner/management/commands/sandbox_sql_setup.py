"""`manage.py sandbox_sql_setup`: create or repair the sandbox PostgreSQL database and roles.

Idempotent; SQL runs also do it on a process's first run. See runner/sqlsetup.py.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from runner import sqlsetup
from runner.results import SandboxUnavailable


class Command(BaseCommand):
    help = "Create or repair the sandbox database and role that SQL runs use."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.SANDBOX_ADMIN_DATABASE_URL.startswith(("postgres://", "postgresql://")):
            self.stdout.write("SQL sandbox skipped: the server does not run on PostgreSQL.")
            return
        try:
            where = sqlsetup.target()
            sqlsetup.set_up(where)
        except SandboxUnavailable as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"SQL sandbox ready: database {where.database}, role {where.role}.")

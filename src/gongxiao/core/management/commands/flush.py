"""`gongxiao flush`: Django's flush, allowed past the append-only triggers (core/appendonly.py).

Emptying every table is not the tampering the triggers guard against (whoever may flush may as
well drop the database), and the test suite flushes after each transactional test."""

from django.core.management.commands import flush
from django.db import connections

from gongxiao.core import appendonly


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        with appendonly.flushing(connection):
            return super().handle(**options)

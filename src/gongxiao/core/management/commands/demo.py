"""`gongxiao demo`: build the demo federation. Each app adds its part in its own demo.py
(a `build(ctx)` function), called in the order of INSTALLED_APPS."""

import importlib

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from gongxiao.org.demo import DEMO_PASSWORD, DemoContext, already_built, logins


class Command(BaseCommand):
    help = "Build the demo federation (units, people, users for each role) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print nothing but errors.")

    def handle(self, *args, quiet=False, **options):
        with translation.override(settings.LANGUAGE_CODE):
            self._handle(quiet)

    def _handle(self, quiet):
        # The demo creates an administrator and users with a published password.
        if settings.GONGXIAO_PRODUCTION:
            raise CommandError(
                gettext(
                    "The demo federation is never built under the production settings: it "
                    "would create an administrator with the published demo password."
                )
            )
        if already_built():
            if not quiet:
                self.stdout.write("The demo federation is already in this database.")
        else:
            ctx = DemoContext()
            with transaction.atomic():
                for config in apps.get_app_configs():
                    if not config.name.startswith("gongxiao."):
                        continue
                    try:
                        module = importlib.import_module(f"{config.name}.demo")
                    except ModuleNotFoundError as exc:
                        if exc.name != f"{config.name}.demo":
                            raise
                        continue
                    module.build(ctx)
            if not quiet:
                self.stdout.write(self.style.SUCCESS(ctx.summary()))
        if not quiet:
            self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
            for username, text in logins():
                self.stdout.write(f"  {username:<22} {text}")

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gongxiao.core"
    label = "core"
    verbose_name = _("Ledger kit")

    def ready(self):
        # Django's "- Select an option -" has no Chinese in Django's own catalogue: the empty
        # choice of every select reads the project's words (its documented hook).
        from django.db.models import fields

        fields.BLANK_CHOICE_LABEL = _("— choose —")
        # Each app declares its ledgers in ledgers.py; importing them fills the registry.
        autodiscover_modules("ledgers")
        autodiscover_modules("metrics")
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from . import daily, textsearch

        # Every ledger's search index is made (and filled) after each migrate.
        post_migrate.connect(textsearch.on_post_migrate, sender=self)
        daily.register("search index", textsearch.daily)

        from . import appendonly

        connection_created.connect(appendonly.register_sqlite_function)
        # Each app registers the runners of its own background job kinds in jobs.py.
        autodiscover_modules("jobs")

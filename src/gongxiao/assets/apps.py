from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "gongxiao.assets"
    label = "assets"
    verbose_name = _("Co-op assets")

    def ready(self):
        from gongxiao.core import daily

        from .services import remind_leases

        # The lease ladder runs once a day in the task workers (gongxiao db_worker), without
        # an operator; `gongxiao lease_reminders` runs it by hand.
        daily.register("assets.lease_reminders", remind_leases)

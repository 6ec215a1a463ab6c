from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgriConfig(AppConfig):
    name = "gongxiao.agri"
    label = "agri"
    verbose_name = _("Services to farmers")

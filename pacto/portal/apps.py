from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The customer-facing pages: home, SLA calculator, and later tickets."""

    name = "pacto.portal"
    verbose_name = _("Customer portal")

from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "hipectrial.edc.sites"
    label = "sites"
    verbose_name = "Sites"

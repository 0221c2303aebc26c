from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "hipectrial.edc.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from hipectrial.edc.audit.seal import seal_after_migrate

        post_migrate.connect(seal_after_migrate, sender=self)

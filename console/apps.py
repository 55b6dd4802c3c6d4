"""App configuration for the Stepyard console."""

from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Stepyard console"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from console.integrations import load_builtin
        from engine.jsonata_bounds import LIMITS

        load_builtin()
        LIMITS.timeout_s = settings.STEPYARD_JSONATA_TIMEOUT_S

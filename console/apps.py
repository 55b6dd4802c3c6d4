"""App configuration for the Stepyard console."""

from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Stepyard console"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from console.jsonata_regex import bounded_regex_engine
        from engine.jsonata_bounds import LIMITS

        LIMITS.timeout_s = settings.STEPYARD_JSONATA_TIMEOUT_S
        LIMITS.regex_engine = bounded_regex_engine

"""App configuration for the Stepyard console."""

from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Stepyard console"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from console.integrations import load_builtin

        load_builtin()

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "samskapa.core"
    label = "core"

    def ready(self):
        from samskapa.core.search import register_sqlite_functions

        connection_created.connect(register_sqlite_functions)

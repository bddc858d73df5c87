from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "samskapa.core"
    label = "core"

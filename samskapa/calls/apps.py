from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "samskapa.calls"
    label = "calls"

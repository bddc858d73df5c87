from django.apps import AppConfig


class EnvironmentsConfig(AppConfig):
    name = "samskapa.environments"
    label = "environments"

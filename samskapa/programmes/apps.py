from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "samskapa.programmes"
    label = "programmes"

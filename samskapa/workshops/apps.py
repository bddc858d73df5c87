from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "samskapa.workshops"
    label = "workshops"

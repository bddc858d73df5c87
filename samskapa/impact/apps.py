from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "samskapa.impact"
    label = "impact"

from django.apps import AppConfig


class JourneysConfig(AppConfig):
    name = "samskapa.journeys"
    label = "journeys"

from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "samskapa.learning"
    label = "learning"

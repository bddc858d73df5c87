from django.apps import AppConfig


class CanvasConfig(AppConfig):
    name = "samskapa.canvas"
    label = "canvas"

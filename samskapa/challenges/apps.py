from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    name = "samskapa.challenges"
    label = "challenges"

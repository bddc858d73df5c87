from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "samskapa.organisations"
    label = "organisations"

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "samskapa.audit"
    label = "audit"

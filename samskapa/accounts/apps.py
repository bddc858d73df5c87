from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "samskapa.accounts"
    label = "accounts"

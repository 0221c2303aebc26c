from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hipectrial.edc.accounts"
    label = "accounts"
    verbose_name = "Accounts"

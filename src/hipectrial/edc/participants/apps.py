from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "hipectrial.edc.participants"
    label = "participants"
    verbose_name = "Participants"

from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Participation and impact"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from wagtail.documents.models import document_served

        from community.account_data import account_closed, personal_data_requested

        from . import sign_ins
        from .counting import count_served_document

        # Sent only once every before_serve_document hook (privacy included) let
        # the download through, so refused downloads are not counted.
        document_served.connect(count_served_document, dispatch_uid="metrics-count-download")
        user_logged_in.connect(sign_ins.record_sign_in, dispatch_uid="metrics-sign-in-day")
        personal_data_requested.connect(sign_ins.sign_in_days_section, dispatch_uid="metrics-sign-in-data")
        account_closed.connect(sign_ins.forget_sign_ins, dispatch_uid="metrics-forget-sign-in-days")

from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Participation and impact"

    def ready(self):
        from wagtail.documents.models import document_served

        from .counting import count_served_document

        # Sent only once every before_serve_document hook (privacy included) let
        # the download through, so refused downloads are not counted.
        document_served.connect(count_served_document, dispatch_uid="metrics-count-download")

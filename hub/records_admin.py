"""The base of every wagtail-modeladmin admin for records people send the hub
(applications, registrations, referral counts, ...): a filter or an id in the
address that does not fit is answered with a 400 or a 404 and a message, not a 500.

Modeladmin turns a filter value that does not fit its field (``?event=abc``,
``?created_at__gte=yesterday``, an unknown field) into Django's
``IncorrectLookupParameters`` and leaves it unhandled; and its instance URLs
accept any word as an id (``inspect/abc/``), which the database then refuses.
"""

from django.contrib.admin.options import IncorrectLookupParameters
from django.db import models
from django.template.response import TemplateResponse
from wagtail_modeladmin.helpers import AdminURLHelper
from wagtail_modeladmin.options import ModelAdmin

BAD_FILTER_MESSAGE = (
    "The list could not be filtered that way: a filter in the address is not one this list "
    "offers, or its value does not fit (for example a word where a number or a date belongs)."
)


class RecordURLHelper(AdminURLHelper):
    """Instance URLs (inspect, edit, delete, and actions such as approve) match
    only ids of the model's kind: digits for an integer primary key, so any
    other word is a plain 404."""

    def _get_object_specific_action_url_pattern(self, action):
        if not isinstance(self.model._meta.pk, models.IntegerField):
            return super()._get_object_specific_action_url_pattern(action)
        return rf"^{self.base_url_path}/{action}/(?P<instance_pk>[0-9]{{1,19}})/$"


class RecordAdmin(ModelAdmin):
    url_helper_class = RecordURLHelper

    def index_view(self, request):
        try:
            response = super().index_view(request)
            if hasattr(response, "render"):
                response.render()
        except IncorrectLookupParameters:
            return TemplateResponse(
                request,
                "hub/admin/bad_filter.html",
                {
                    "message": BAD_FILTER_MESSAGE,
                    "list_url": self.url_helper.index_url,
                    "list_name": self.model._meta.verbose_name_plural,
                },
                status=400,
            )
        return response

"""Views of the knowledge app that are not Wagtail pages."""

from django.urls import path

from . import suggestions

urlpatterns = [
    path("resources/suggest/", suggestions.suggest_resource, name="suggest-resource"),
    path("resources/suggest/done/", suggestions.suggestion_received, name="suggest-resource-done"),
]

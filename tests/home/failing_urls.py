from django.urls import path


def explode(request):
    raise RuntimeError("simulated failure")


urlpatterns = [path("boom/", explode)]
handler500 = "hub.views.server_error"

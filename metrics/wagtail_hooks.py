from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import views
from .counting import remember_served_page

hooks.register("before_serve_page", remember_served_page)


class SteeringMenuItem(MenuItem):
    def is_shown(self, request):
        return views.can_see_metrics(request.user)


@hooks.register("register_admin_urls")
def register_metrics_urls():
    return [
        path("steering/", views.dashboard, name="metrics_dashboard"),
        path("steering/gap-analysis/", views.gap_analysis, name="metrics_gap_analysis"),
        path("steering/gap-analysis/snapshots/", views.take_snapshot, name="metrics_take_snapshot"),
        path("steering/gap-analysis/compare/", views.compare_snapshots, name="metrics_compare"),
        path("steering/gap-analysis/snapshots/<int:pk>.csv", views.snapshot_csv, name="metrics_snapshot_csv"),
    ]


@hooks.register("register_reports_menu_item")
def register_dashboard_menu_item():
    return SteeringMenuItem(
        "Participation and impact",
        reverse("metrics_dashboard"),
        name="participation",
        icon_name="list-ul",
        order=1100,
    )


@hooks.register("register_reports_menu_item")
def register_gap_menu_item():
    return SteeringMenuItem(
        "Gap analysis", reverse("metrics_gap_analysis"), name="gap-analysis", icon_name="table", order=1110
    )

"""Account pages under /account/ (Django's auth views in the hub's style) and
the working group actions. The URL names are Django's own (``login``,
``password_reset_confirm``, ...) so its views and e-mails find them."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import follows
from .digest.unsubscribe import unsubscribe as digest_unsubscribe
from .views import accounts, my_hub, working_groups

urlpatterns = [
    path("account/", my_hub.my_hub, name="my-hub"),
    path("account/profile/", accounts.profile, name="account-profile"),
    path("account/follow/", follows.follow, name="follow"),
    path("account/sign-in/", accounts.SignInView.as_view(), name="login"),
    path("account/sign-out/", accounts.SignOutView.as_view(), name="logout"),
    path("account/my-data/", accounts.download_my_data, name="account-data"),
    path("account/close/", accounts.close_my_account, name="account-close"),
    path("account/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/password/changed/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html"),
        name="password_change_done",
    ),
    path("account/password/reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "account/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "account/password/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("account/working-groups/ask/", working_groups.ask_to_join, name="working-group-ask"),
    path(
        "account/working-groups/documents/<int:item_id>/",
        working_groups.members_document,
        name="working-group-document",
    ),
    path("digest/unsubscribe/<str:token>/", digest_unsubscribe, name="digest-unsubscribe"),
]

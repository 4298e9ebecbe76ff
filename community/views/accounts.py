"""The member's account: sign in and out, passwords, profile, their data, closing.

Django's own auth views, with the hub's templates (templates/registration/).
"""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..account_data import close_account, personal_data
from ..forms import CloseAccountForm, HubPasswordResetForm, ProfileForm, SignInForm
from ..models import MemberProfile


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = SignInForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        locked = any(error.code == "locked_out" for error in form.non_field_errors().as_data())
        response.status_code = 429 if locked else 400
        return response


class SignOutView(auth_views.LogoutView):
    template_name = "registration/logged_out.html"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    form_class = HubPasswordResetForm
    success_url = reverse_lazy("password_reset_done")

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


def _profile_for(user):
    return MemberProfile.objects.filter(user=user).prefetch_related("topics").first() or MemberProfile(
        user=user
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request):
    user = request.user
    member_profile = _profile_for(user)
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=member_profile, user=user)
        if form.is_valid():
            form.save()
            messages.success(request, "Your profile is saved.")
            return HttpResponseRedirect(reverse("account-profile"), status=303)
        status = 400
    else:
        form = ProfileForm(instance=member_profile, user=user)
    return render(
        request,
        "community/account/profile.html",
        {
            "form": form,
            "member_profile": member_profile,
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def download_my_data(request):
    data = personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="my-data-{request.user.username}.json"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def close_my_account(request):
    user = request.user
    if user.is_superuser:
        return render(request, "community/account/close.html", {"refused": True}, status=400)
    if request.method == "POST":
        form = CloseAccountForm(request.POST, user=user)
        if form.is_valid():
            close_account(user)
            logout(request)
            return render(request, "community/account/closed.html")
        return render(request, "community/account/close.html", {"form": form}, status=400)
    return render(request, "community/account/close.html", {"form": CloseAccountForm(user=user)})

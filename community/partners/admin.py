"""The partner records in the admin (wagtail-modeladmin, under "Partners"):
referral counts, feed results and broken links, each filterable and exported
as CSV. The hub writes them; nobody adds or edits them by hand. Registered by
syndication/wagtail_hooks.py (Wagtail reads hooks from one module per app)."""

from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdminGroup

from community.models import LinkCheck, PartnerFeedResult, ReferralCount
from hub.records_admin import RecordAdmin


class ReadOnlyPermissionHelper(PermissionHelper):
    def user_can_list(self, user):
        return self.user_has_specific_permission(user, self.get_perm_codename("view"))

    def user_can_inspect_obj(self, user, obj):
        return self.user_can_list(user)

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False


class ReadOnlyAdmin(RecordAdmin):
    permission_helper_class = ReadOnlyPermissionHelper
    inspect_view_enabled = True


class ReferralCountAdmin(ReadOnlyAdmin):
    model = ReferralCount
    menu_label = "Referral counts"
    menu_icon = "link"
    list_display = ("day", "partner", "via_link", "via_website", "total")
    list_filter = ("partner", "day")
    search_fields = ("partner__title",)
    list_export = ("day", "partner", "via_link", "via_website", "total")
    export_filename = "partner-referrals"


class PartnerFeedResultAdmin(ReadOnlyAdmin):
    model = PartnerFeedResult
    menu_label = "Feed results"
    menu_icon = "doc-full"
    list_display = ("run_started_at", "partner", "kind", "succeeded", "message", "new_items", "updated_items")
    list_filter = ("succeeded", "kind", "partner")
    list_export = ("run_started_at", "partner", "kind", "feed_url", "succeeded", "message", "new_items")
    export_filename = "partner-feed-results"


class LinkCheckAdmin(ReadOnlyAdmin):
    model = LinkCheck
    menu_label = "Broken links"
    menu_icon = "warning"
    list_display = ("page", "field", "url", "status_code", "problem", "final_url", "checked_at")
    list_filter = ("is_broken", "field")
    search_fields = ("url", "page__title")
    list_export = ("page", "field", "url", "is_broken", "status_code", "problem", "final_url", "checked_at")
    export_filename = "link-check"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("page")


class PartnersAdminGroup(ModelAdminGroup):
    menu_label = "Partners"
    menu_icon = "site"
    menu_order = 260
    items = (ReferralCountAdmin, PartnerFeedResultAdmin, LinkCheckAdmin)

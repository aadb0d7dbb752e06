from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kurator.registry.models import Closure, Department, Library, Network, Page, PageDepartment, WorkingHours


class HoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


@admin.register(Network)
class NetworkAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "country", "time_zone"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Library)
class LibraryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "network", "is_central", "country", "time_zone", "head"]
    list_filter = ["network", "country"]
    inlines = [HoursInline]
    search_fields = ["name", "address"]


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "library", "head"]
    list_filter = ["library__network"]
    inlines = [HoursInline]


class PageDepartmentInline(admin.TabularInline):
    model = PageDepartment
    extra = 0
    readonly_fields = ["social_network"]


@admin.register(Page)
class PageAdmin(SimpleHistoryAdmin):
    list_display = ["name", "social_network", "network", "library", "verified", "publishing_mode", "approval_weekday"]
    list_filter = ["network", "social_network", "publishing_mode", "verified"]
    search_fields = ["name", "url"]
    inlines = [PageDepartmentInline]


admin.site.register(Closure, SimpleHistoryAdmin)

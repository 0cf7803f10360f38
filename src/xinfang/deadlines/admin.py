"""Admin for the calendar and rule sets; every change goes through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinfang.core.errors import RuleViolation
from xinfang.deadlines import services
from xinfang.deadlines.calendar import calendar_missing_years
from xinfang.deadlines.forms import CalendarYearForm
from xinfang.deadlines.models import CalendarDay, ClockRule, RuleSet


class YearFilter(admin.SimpleListFilter):
    title = _("年份")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(d.year), gettext("%(year)s年") % {"year": d.year}) for d in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin[Any]):
    list_display = ["date", "weekday", "is_workday", "name", "source", "updated_at"]
    list_filter = [YearFilter, "is_workday", "source"]
    search_fields = ["name"]
    date_hierarchy = "date"
    fields = ["date", "is_workday", "name", "source"]
    readonly_fields = ["source"]
    actions = ["delete_days"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return services.may_edit_calendar(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return services.may_edit_calendar(request.user) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return services.may_edit_calendar(request.user) and super().has_delete_permission(
            request, obj
        )

    @admin.display(description=gettext("星期"))
    def weekday(self, obj: CalendarDay) -> str:
        return gettext("一二三四五六日")[obj.date.weekday()]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        # Deletion must restore the package's entry: only through the service.
        actions.pop("delete_selected", None)
        return actions

    def get_urls(self) -> list[URLPattern]:
        enter_year = path(
            "enter-year/",
            self.admin_site.admin_view(self.enter_year_view),
            name="deadlines_calendarday_enter_year",
        )
        return [enter_year, *super().get_urls()]

    def enter_year_view(self, request: HttpRequest) -> HttpResponse:
        """One form for a whole year from the State Council's notice; the service checks it
        all before saving and re-derives the due dates it moves."""
        if not services.may_edit_calendar(request.user):
            raise PermissionDenied
        form = CalendarYearForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = services.calendar_year_enter(
                    actor=request.user,  # type: ignore[arg-type]
                    year=form.cleaned_data["year"],
                    holidays=form.cleaned_data["holidays"],
                    workdays=form.cleaned_data["workdays"],
                    notice=form.cleaned_data["notice"],
                )
            except RuleViolation as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    gettext(
                        "已录入%(year)s年放假%(holidays)s天、调休上班%(workdays)s天；"
                        "%(rederived)s件在办案件的期限已重新计算。"
                    )
                    % {
                        "year": result.year,
                        "holidays": result.holidays,
                        "workdays": result.workdays,
                        "rederived": result.rederived,
                    },
                )
                url = reverse("admin:deadlines_calendarday_changelist")
                return HttpResponseRedirect(f"{url}?year={result.year}")
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("录入全年节假日安排"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/deadlines/calendarday/enter_year.html", context)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "can_enter_year": services.may_edit_calendar(request.user),
        }
        for year in calendar_missing_years(timezone.localdate()):
            messages.warning(
                request,
                gettext(
                    "%(year)s年的节假日和调休安排尚未录入，涉及该年的期限暂按周一至周五计算，"
                    "标为“暂定”。请点击“录入全年节假日安排”，按国务院办公厅通知录入；"
                    "录入后有关案件的期限自动重新计算。"
                )
                % {"year": year},
            )
        return super().changelist_view(request, extra_context)

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        try:
            saved = services.calendar_day_set(
                actor=request.user,  # type: ignore[arg-type]
                date=obj.date,
                is_workday=obj.is_workday,
                name=obj.name,
            )
        except RuleViolation as exc:
            messages.error(request, str(exc))
            return
        obj.pk = saved.pk
        obj.source = saved.source

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        services.calendar_day_delete(actor=request.user, date=obj.date)  # type: ignore[arg-type]

    @admin.action(description=gettext("删除所选日期（软件包已有的日期恢复为软件包设置）"))
    def delete_days(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day in queryset:
            services.calendar_day_delete(actor=request.user, date=day.date)  # type: ignore[arg-type]
        messages.success(request, gettext("已删除所选日期。"))


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ClockRuleInline(ReadOnlyMixin, admin.TabularInline[Any, Any]):
    model = ClockRule
    fields = ("code", "name", "amount", "unit", "roll_past_rest_day", "legal_basis")
    readonly_fields = fields
    extra = 0


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin[Any]):
    list_display = ["code", "name", "active"]
    fields = ("code", "name", "description", "active")
    readonly_fields = fields
    inlines = [ClockRuleInline]
    actions = ["activate"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: RuleSet, form: Any, change: bool) -> None:
        # Every field is read-only: the one change is the action below, through the service
        # (which logs it). Saving the page writes nothing.
        return None

    @admin.action(description=gettext("设为现行期限规则"))
    def activate(self, request: HttpRequest, queryset: QuerySet[RuleSet]) -> None:
        if queryset.count() != 1:
            messages.error(request, gettext("请只选择一个规则集。"))
            return
        rule_set = queryset.get()
        try:
            services.rule_set_activate(actor=request.user, rule_set=rule_set)  # type: ignore[arg-type]
        except RuleViolation as exc:
            messages.error(request, str(exc))
            return
        messages.success(
            request, gettext("现行期限规则已改为：%(name)s。") % {"name": rule_set.name}
        )

"""The admin site, with lists that answer only the questions they declare (R-PROTECT-1).

Django's admin accepts a filter on any local field of a list's model in the query string
(`?content__contains=...`), not only the filters in its sidebar: the row count then answers
yes or no for any guessed text, which spells out a letter the user may not read. Here every
list of every registered model, ours and third-party ones alike, allows only:

- the parameters of the filters it declares in `list_filter` (each filter's own
  `expected_parameters()`), and the date bar's year, month and day;
- a search (`q`) over its declared `search_fields`, cut to `SEARCH_MAX_CHARS` characters and
  `SEARCH_MAX_TERMS` words with a message (a 1,000-word search made SQLite refuse the
  statement, "expression tree is too large").

Any other parameter is refused with the same 400 answer whatever its value, so the refusal
itself reveals nothing. The site wraps every ModelAdmin registered on it, so a list added
later is covered the day it is added.
"""

from __future__ import annotations

from typing import Any

from axes.apps import AppConfig as AxesAppConfig  # type: ignore[import-untyped]
from django.contrib import admin, messages
from django.contrib.admin import ModelAdmin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.filters import FieldListFilter, ListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.db import transaction
from django.db.models import Field, Model, QuerySet
from django.forms import BaseModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from xinfang.core.citations import on_screen
from xinfang.core.errors import RuleViolation

SEARCH_MAX_CHARS = 50
SEARCH_MAX_TERMS = 5
DATE_PARTS = ("year", "month", "day")


def cut_search(term: str) -> tuple[str, bool]:
    """The search term as it will be run, and whether it was cut."""
    words = term.split()
    cut = words[:SEARCH_MAX_TERMS]
    text = " ".join(cut)
    if len(text) > SEARCH_MAX_CHARS:
        text = text[:SEARCH_MAX_CHARS]
    return text, text != " ".join(words)


class StrictListMixin:
    """Only declared filters, and bounded searches, on the admin's lists."""

    def declared_parameters(self, request: HttpRequest) -> frozenset[str]:
        cache: dict[int, frozenset[str]] = request.__dict__.setdefault(
            "_xinfang_declared_params", {}
        )
        key = id(self)
        if key not in cache:
            cache[key] = frozenset(self._declared_parameters(request))
        return cache[key]

    def _declared_parameters(self, request: HttpRequest) -> set[str]:
        model_admin: Any = self
        names: set[str] = set()
        for item in model_admin.get_list_filter(request):
            # Each filter says which parameters it reads; build it on no parameters to ask.
            spec: ListFilter
            if isinstance(item, type) and issubclass(item, ListFilter):
                spec = item(request, {}, model_admin.model, model_admin)
            else:
                field, filter_class = item if isinstance(item, (tuple, list)) else (item, None)
                path = field if isinstance(field, str) else field.name
                model_field = get_fields_from_path(model_admin.model, path)[-1]
                spec = (filter_class or FieldListFilter.create)(
                    model_field, request, {}, model_admin.model, model_admin, field_path=path
                )
            names.update(p for p in spec.expected_parameters() or () if p)
        if model_admin.date_hierarchy:
            names.update(f"{model_admin.date_hierarchy}__{part}" for part in DATE_PARTS)
        return names

    def lookup_allowed(self, lookup: str, value: Any, request: HttpRequest) -> bool:
        return lookup in self.declared_parameters(request)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term, was_cut = cut_search(search_term)
        if was_cut:
            messages.warning(
                request,
                gettext("检索词过长，已按前%(terms)s个词、不超过%(chars)s个字检索：%(term)s")
                % {"terms": SEARCH_MAX_TERMS, "chars": SEARCH_MAX_CHARS, "term": term},
            )
        found: tuple[QuerySet[Any], bool] = super().get_search_results(request, queryset, term)  # type: ignore[misc]
        return found


def form_values(form: BaseModelForm[Any], *, changed_only: bool) -> dict[str, Any]:
    """The model fields the form edits (or only those the user changed), as cleaned."""
    model_fields = {f.name for f in form._meta.model._meta.get_fields() if isinstance(f, Field)}
    names = form.changed_data if changed_only else list(form.fields)
    return {n: form.cleaned_data[n] for n in names if n in model_fields and n in form.cleaned_data}


class ServiceRefusalsShown:
    """A service's refusal (RuleViolation) raised while the admin saves or deletes is shown
    as a message on the page the user was on, instead of an error page. Django runs the
    change and delete views in a transaction, so nothing of the request is kept."""

    def _refusal_shown(self, request: HttpRequest, exc: RuleViolation) -> HttpResponse:
        for message in exc.messages:
            # The rule IDs a refusal names become their grounds in Chinese.
            messages.error(request, on_screen(message))
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response: HttpResponse = super().changeform_view(request, *args, **kwargs)  # type: ignore[misc]
            return response
        except RuleViolation as exc:
            return self._refusal_shown(request, exc)

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response: HttpResponse = super().delete_view(request, *args, **kwargs)  # type: ignore[misc]
            return response
        except RuleViolation as exc:
            return self._refusal_shown(request, exc)

    def changelist_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response: HttpResponse = super().changelist_view(request, *args, **kwargs)  # type: ignore[misc]
            return response
        except RuleViolation as exc:
            return self._refusal_shown(request, exc)


class ServiceWritesAdmin(ServiceRefusalsShown, admin.ModelAdmin[Any]):
    """An admin page whose every write goes through the app's services, which check the
    rules and log the change (the configuration audit log, `xinfang.configlog`).

    Subclasses name the three services; Django's own writes (`obj.save()`, `form.save_m2m()`,
    `queryset.delete()`) are never reached. A service's refusal is shown as a message
    (`ServiceRefusalsShown`); the bulk delete runs in one transaction.
    """

    def service_create(self, request: HttpRequest, values: dict[str, Any]) -> Model:
        raise NotImplementedError

    def service_update(self, request: HttpRequest, obj: Any, changes: dict[str, Any]) -> Model:
        raise NotImplementedError

    def service_delete(self, request: HttpRequest, obj: Any) -> None:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            self.service_update(request, obj, form_values(form, changed_only=True))
            return
        saved = self.service_create(request, form_values(form, changed_only=False))
        # The admin goes on with its own instance (messages, redirect, LogEntry).
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
        obj._state.adding, obj._state.db = False, saved._state.db

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Many-to-many fields went to the service with the others; these pages have no
        # inlines that write.
        return None

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.service_delete(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.service_delete(request, obj)


# Columns of third-party admins named after their method, which no catalogue translates
# (django-axes' "Status" and "Expiration"); their other words are in the project's catalogue,
# locale/zh_Hans (docs/decisions.md, "The admin of django-axes in Chinese").
CHINESE_COLUMNS: dict[str, dict[str, StrOrPromise]] = {
    "axes": {"status": _("状态"), "expiration": _("失效时间")},
}


def axes_title(obj: Any) -> str:
    """A django-axes record in Chinese (its own __str__ is English): who, from where, when."""
    when = getattr(obj, "attempt_time", None)
    parts = [
        obj.username or gettext("（未填用户名）"),
        gettext("IP 地址 %(ip)s") % {"ip": obj.ip_address or gettext("未知")},
    ]
    if when is not None:
        parts.append(f"{timezone.localtime(when):%Y-%m-%d %H:%M}")
    return "，".join(parts)


def _chinese_subtitle(base: type[ModelAdmin[Any]]) -> dict[str, Any]:
    """`change_view` of `base` with the record's Chinese title (templates/admin/axes)."""

    def change_view(
        self: Any,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, object_id)
        extra = {**(extra_context or {}), **({"subtitle": axes_title(obj)} if obj else {})}
        response: HttpResponse = base.change_view(self, request, object_id, form_url, extra)
        return response

    return {"change_view": change_view}


def _relabelled(base: type[ModelAdmin[Any]], labels: dict[str, StrOrPromise]) -> dict[str, Any]:
    """Methods of `base` under the same names, each with a Chinese column title."""
    attrs: dict[str, Any] = {}
    for name, label in labels.items():
        method = getattr(base, name, None)
        if method is None or not callable(method):
            continue

        def column(self: Any, obj: Any, _method: Any = method) -> Any:
            return _method(self, obj)

        column.short_description = label  # type: ignore[attr-defined]
        attrs[name] = column
    return attrs


class XinfangAdminSite(admin.AdminSite):
    """The project's admin site: every list registered on it is strict (see above)."""

    site_header = _("信访案件管理系统")
    site_title = _("信访案件管理系统")
    index_title = _("系统管理")

    def register(
        self,
        model_or_iterable: Any,
        admin_class: type[ModelAdmin[Any]] | None = None,
        **options: Any,
    ) -> None:
        base = admin_class or ModelAdmin
        models: list[type[Model]] = (
            [model_or_iterable] if isinstance(model_or_iterable, type) else list(model_or_iterable)
        )
        apps = {m._meta.app_label for m in models}
        labels = {n: label for app in apps for n, label in CHINESE_COLUMNS.get(app, {}).items()}
        attrs = _relabelled(base, labels)
        if "axes" in apps:
            attrs.update(_chinese_subtitle(base))
        if not issubclass(base, StrictListMixin) or attrs:
            mixins = () if issubclass(base, StrictListMixin) else (StrictListMixin,)
            base = type(f"Strict{base.__name__}", (*mixins, base), attrs)
        super().register(model_or_iterable, base, **options)

    def is_strict(self, model: type[Model]) -> bool:
        return isinstance(self._registry.get(model), StrictListMixin)


class XinfangAdminConfig(AdminConfig):
    default_site = "xinfang.core.admin.XinfangAdminSite"


class AxesConfig(AxesAppConfig):  # type: ignore[misc]  # axes ships no types
    """django-axes under a Chinese name in the admin (its section and breadcrumbs read the
    app's verbose_name, which no catalogue translates). INSTALLED_APPS names this class
    instead of "axes"; everything else is axes' own."""

    verbose_name = _("登录保护")

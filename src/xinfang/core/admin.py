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

from django.contrib import admin, messages
from django.contrib.admin import ModelAdmin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.filters import FieldListFilter, ListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.db.models import Model, QuerySet
from django.http import HttpRequest

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
                f"检索词过长，已按前{SEARCH_MAX_TERMS}个词、不超过{SEARCH_MAX_CHARS}个字检索：{term}",
            )
        return super().get_search_results(request, queryset, term)  # type: ignore[misc]


class XinfangAdminSite(admin.AdminSite):
    """The project's admin site: every list registered on it is strict (see above)."""

    site_header = "信访案件管理系统"
    site_title = "信访案件管理系统"
    index_title = "系统管理"

    def register(
        self,
        model_or_iterable: Any,
        admin_class: type[ModelAdmin[Any]] | None = None,
        **options: Any,
    ) -> None:
        base = admin_class or ModelAdmin
        if not issubclass(base, StrictListMixin):
            base = type(f"Strict{base.__name__}", (StrictListMixin, base), {})
        super().register(model_or_iterable, base, **options)

    def is_strict(self, model: type[Model]) -> bool:
        return isinstance(self._registry.get(model), StrictListMixin)


class XinfangAdminConfig(AdminConfig):
    default_site = "xinfang.core.admin.XinfangAdminSite"

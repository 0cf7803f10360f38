"""Response headers for signed-in users."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers


class NoStoreWhenSignedIn:
    """Every response to a signed-in user carries `Cache-Control: no-store` (and the HTTP/1.0
    `Pragma: no-cache`), so neither the browser's cache nor a proxy keeps a copy of a page or
    export that may show a petitioner's decrypted identity or protected text (R-PROTECT-1).

    The rule is "signed in", not a list of views: a new view is covered without anyone
    remembering to. Static files never reach it (WhiteNoise answers them earlier), and pages
    for anonymous visitors (home, login form) stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            response["Pragma"] = "no-cache"
        return response

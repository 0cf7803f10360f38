"""URLs of the handlers' pages. Each area keeps its own list (web/*_urls.py) so the areas
grow without touching each other."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

from xinfang.web.views import home, review_application, search
from xinfang.web.views.common import LoginView

app_name = "web"
urlpatterns = [
    path("", home.home, name="home"),
    path(
        "login/",
        LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("reviews/apply/", review_application.review_application, name="review_application"),
    path("search/", search.search_page, name="search"),
    path("cases/", include("xinfang.web.case_urls")),
    path("register/", include("xinfang.web.register_urls")),
    path("documents/", include("xinfang.web.document_urls")),
    path("queues/", include("xinfang.web.queue_urls")),
    path("supervision/", include("xinfang.web.supervision_urls")),
    path("longterm/", include("xinfang.web.persistent_urls")),
    path("warnings/", include("xinfang.web.alerts_urls")),
]

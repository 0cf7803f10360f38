from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("cases/", include("xinfang.cases.urls")),
    path("api/", include("xinfang.api.urls")),
    path("", include("xinfang.web.urls")),
]

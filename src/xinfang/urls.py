from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView, TemplateView

admin.site.site_header = "信访案件管理系统"
admin.site.site_title = "信访案件管理系统"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("cases/", include("xinfang.cases.urls")),
]

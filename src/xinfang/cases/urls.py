from django.urls import path

from xinfang.cases import views

app_name = "cases"
urlpatterns = [
    path("<int:case_id>/file/", views.case_file_view, name="case_file"),
]

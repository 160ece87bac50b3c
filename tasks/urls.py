from django.urls import path

from . import views

app_name = "tasks"
urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("<slug:code>/", views.plan_detail, name="plan_detail"),
    path("<slug:code>/items/<int:pk>/", views.item_detail, name="item_detail"),
]

from django.urls import path

from . import views

app_name = "tasks"
urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("<slug:code>/", views.plan_detail, name="plan_detail"),
    path("<slug:code>/items/<int:pk>/", views.item_detail, name="item_detail"),
    path("<slug:code>/splits/", views.split_decisions, name="split_decisions"),
    path("<slug:code>/splits/<int:pk>/", views.split_decide, name="split_decide"),
]

from django.urls import path

from questions import views

urlpatterns = [
    path("search", views.search, name="question-search"),
    path("categories", views.categories, name="question-categories"),
]

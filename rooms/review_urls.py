from django.urls import path

from rooms import review_pages

urlpatterns = [
    path("r/<str:room_id>/review/", review_pages.review_page, name="review"),
]

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

public_patterns = [
    path("", views.home, name="home"),
    path("briefings/<slug:slug>/", views.briefing_detail, name="briefing-detail"),
    path("preview/<str:token>/", views.preview, name="preview"),
]

urlpatterns = [
    path("", include((public_patterns, "briefings"))),
    path("admin/", admin.site.urls),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", views.media_file, name="media"),
]

from __future__ import annotations

app_name = "crfs"
urlpatterns: list[object] = []

from __future__ import annotations

app_name = "audit"
urlpatterns: list[object] = []

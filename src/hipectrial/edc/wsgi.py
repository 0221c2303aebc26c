"""The WSGI application gunicorn serves (``hipectrial serve``)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hipectrial.edc.settings")
application = get_wsgi_application()

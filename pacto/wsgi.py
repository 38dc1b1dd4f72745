"""WSGI entry point for gunicorn: `gunicorn pacto.wsgi -w 4 -b 0.0.0.0:8000`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacto.settings")

application = get_wsgi_application()

"""WSGI entry point: `gunicorn wsgi:app`. Settings come from LEARNHUB_* environment variables."""

from learnhub import create_app

app = create_app()

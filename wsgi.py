"""`app` for gunicorn (`gunicorn wsgi:app`) and for `flask --app wsgi …`."""

from companion.app import create_app

app = create_app()

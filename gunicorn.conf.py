"""Gunicorn settings: `gunicorn wsgi:app` reads this file from the working directory.

The access log names each request's route (`/prescreen/<token>`), never its raw path or query:
pre-screen and patient links carry their secret token in the path, and `%(r)s` or `%(U)s` would
write it to disk. The app leaves the route in the WSGI environ (companion/privacy/access_log.py).
No referrer is logged either. Bind address, workers and the rest stay on the command line.
"""

accesslog = "-"
access_log_format = (
    '%(h)s %(t)s "%(m)s %({companion.log_path}e)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
)

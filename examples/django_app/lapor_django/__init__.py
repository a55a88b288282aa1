"""lapor_django: a reusable Django app that embeds lapor_core in a Django project.

What it shows is that nothing in lapor_core assumes a framework: the desk is configured from Django settings
(:mod:`lapor_django.conf`), lives in the project's own database (lapor_core's tables beside Django's, created
by ``manage.py lapor_migrate``, which runs lapor_core's Alembic migrations), Django's users and groups become
principals (:mod:`lapor_django.principals`), three views (submit, track, an institution's inbox) speak
Indonesian, and the sweep and the delivery of notifications are management commands for cron.
"""

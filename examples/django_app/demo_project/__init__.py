"""A minimal Django project around lapor_django, for the tests and for trying it out."""

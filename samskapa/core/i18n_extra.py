"""Strings of Django's that its own Swedish catalog does not translate yet.

Marking them here keeps them in our catalog when `makemessages` re-extracts it; our catalog
(LOCALE_PATHS) takes precedence over Django's.
"""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = [
    gettext_noop("- Select an option -"),  # Django 6.1's empty choice in every select
]

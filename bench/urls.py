"""The app's URLs plus the "framework floor" view. Loaded only through bench/settings.py."""

from functools import cache

from django.http import Http404, HttpResponse
from django.urls import include, path

# Pages are a few kB; the cap keeps the cache below from growing without bound.
MAX_FLOOR_BYTES = 1_000_000


@cache
def _body(size: int) -> bytes:
    return b"x" * size


def floor_view(request, size):
    """The cheapest Django response of `size` bytes: no query, no template, body from memory.

    It passes through the same middleware as the pages, so a page's req/s divided by the floor's
    for the same size is the share of the framework's best that the page's own work leaves.
    """
    if size > MAX_FLOOR_BYTES:
        raise Http404
    return HttpResponse(_body(size), content_type="text/html; charset=utf-8")


urlpatterns = [
    path("bench/floor/<int:size>", floor_view, name="bench_floor"),
    path("", include("samskapa.urls")),
]

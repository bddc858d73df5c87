"""Production settings plus the benchmark's extra URLs (the framework floor). Bench-only."""

from samskapa.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "samskapa.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self):
        # The recruitment funnel's last stage: an application is matched once a confirmed
        # Match exists for it (recruitment/funnel.py's extension point).
        from django.db.models import Exists, OuterRef

        from samskapa.recruitment import funnel

        def matched():
            from samskapa.matching.models import Match

            return Exists(Match.objects.filter(application=OuterRef("pk")))

        funnel.provide_matched_stage(matched)

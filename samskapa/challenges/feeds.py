"""Atom feed of newly published challenges, for feed readers and other sites."""

from django.contrib.syndication.views import Feed
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from samskapa.challenges.models import Challenge

FEED_SIZE = 30


class NewChallengesFeed(Feed):
    feed_type = Atom1Feed
    title = _("New challenges on Samskapa")
    subtitle = _(
        "Societal challenges that Swedish municipalities and regions have published for social "
        "innovators."
    )
    link = reverse_lazy("portal:index")

    def items(self):
        return (
            Challenge.objects.public()
            .select_related("department__parent")
            .prefetch_related("tags")
            .defer("search_stems")
            .order_by("-published_at", "-pk")[:FEED_SIZE]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return Truncator(item.need).words(60)

    def item_link(self, item):
        return reverse("portal:challenge", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        parent = item.department.parent
        return f"{item.department.name}, {parent.name}" if parent else item.department.name

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]

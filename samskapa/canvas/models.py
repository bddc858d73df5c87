"""The social business model canvas of an innovator's journey, and its versions.

One canvas per journey. Every save is a new, immutable `CanvasVersion` (numbered 1, 2, … per
canvas, with author, time and an optional note); a save is based on the version the person
started from, and refused as a conflict when someone saved a newer one meanwhile
(services.save_version). Comments belong to one block of one version.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from samskapa.canvas.blocks import BLOCK_KEYS, BLOCKS, BY_KEY
from samskapa.core.querysets import VisibleQuerySet


class Canvas(models.Model):
    journey = models.OneToOneField(
        "journeys.Journey",
        verbose_name=_("innovator journey"),
        on_delete=models.CASCADE,
        related_name="canvas",
    )
    # The journey's programme, kept here for the permission checks (programme_of).
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="canvases"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("business model canvas")
        verbose_name_plural = _("business model canvases")

    def __str__(self):
        return _("Business model canvas of %(name)s") % {"name": self.journey.innovator.full_name}


class CanvasVersion(models.Model):
    canvas = models.ForeignKey(Canvas, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    # {block key: text} for every block of canvas.blocks.BLOCKS ("" when empty).
    blocks = models.JSONField(_("blocks"), default=dict)
    note = models.CharField(_("note"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        ordering = ["canvas_id", "-number"]
        verbose_name = _("canvas version")
        verbose_name_plural = _("canvas versions")
        constraints = [
            # Two saves based on the same version cannot both become the next one: the second
            # fails here and is shown as a conflict (services.save_version).
            models.UniqueConstraint(fields=["canvas", "number"], name="one_canvas_version_number")
        ]

    def __str__(self):
        return _("Version %(number)s") % {"number": self.number}

    def text(self, key: str) -> str:
        return self.blocks.get(key, "")

    def filled_blocks(self):
        """(block, text) for every block, in the canvas's order."""
        return [(BY_KEY[key], self.text(key)) for key in BLOCK_KEYS]


class CanvasComment(models.Model):
    version = models.ForeignKey(CanvasVersion, on_delete=models.CASCADE, related_name="comments")
    block = models.CharField(_("block"), max_length=40, choices=[(b.key, b.label) for b in BLOCKS])
    text = models.TextField(_("comment"), max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("canvas comment")
        verbose_name_plural = _("canvas comments")

    def __str__(self):
        return _("Comment on %(block)s, version %(number)s") % {
            "block": BY_KEY[self.block].label,
            "number": self.version.number,
        }

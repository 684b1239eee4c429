"""竞争对手 (001 附录 3, SPEC §11): the competitor catalogue (market knowledge every role reads)
and who else is bidding for a customer or an opportunity (links, seen only by those who see the
customer unmasked)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Competitor(models.Model):
    """竞争厂商: name, products, prices, features, strengths and weaknesses, strategy."""

    name = models.CharField(_("competitor"), max_length=100, unique=True)
    products = models.TextField(_("products"), max_length=2000, blank=True)
    prices = models.TextField(_("prices"), max_length=2000, blank=True)
    features = models.TextField(_("features"), max_length=2000, blank=True)
    strengths = models.TextField(_("strengths"), max_length=2000, blank=True)
    weaknesses = models.TextField(_("weaknesses"), max_length=2000, blank=True)
    strategy = models.TextField(_("strategy"), max_length=2000, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")

    def __str__(self) -> str:
        return self.name


class CompetitorLink(models.Model):
    """A competitor met at a customer, or bidding for one of its opportunities (谁在竞标)."""

    competitor = models.ForeignKey(
        Competitor, verbose_name=_("competitor"), on_delete=models.PROTECT, related_name="links"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="competitor_links",
    )
    opportunity = models.ForeignKey(
        "sales.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.PROTECT,
        related_name="competitor_links",
        null=True,
        blank=True,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("competitor link")
        verbose_name_plural = _("competitor links")
        indexes = [
            models.Index(fields=["customer", "-id"], name="competitor_link_customer_idx"),
            models.Index(fields=["opportunity"], name="competitor_link_opp_idx"),
        ]
        constraints = [
            # Once per customer without an opportunity, once per opportunity.
            models.UniqueConstraint(
                fields=["competitor", "customer"],
                condition=Q(opportunity__isnull=True),
                name="competitor_link_once_per_customer",
            ),
            models.UniqueConstraint(
                fields=["competitor", "customer", "opportunity"],
                condition=Q(opportunity__isnull=False),
                name="competitor_link_once_per_opportunity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competitor_id} @ {self.customer_id}"

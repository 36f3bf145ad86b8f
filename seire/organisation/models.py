"""The organisation: the org-unit tree, services, providers, partners and responsibilities."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Named(models.Model):
    """A definition with a stable code and names in Estonian and English."""

    code = models.SlugField(_("code"), max_length=40, unique=True, allow_unicode=False)
    name_et = models.CharField(_("name (Estonian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language; English for Russian (definitions have et/en)."""
        return self.name_et if (get_language() or "et").startswith("et") else self.name_en


class OrgUnit(Named):
    """A node of the tree Estonia → region → county → service point / partner organisation.

    `path` is the codes from the root joined by "/" and ending in "/", kept in step with
    `parent` on save, so a subtree is one indexed prefix query (`path__startswith`).
    """

    class Kind(models.TextChoices):
        COUNTRY = "country", _("country")
        REGION = "region", _("region")
        COUNTY = "county", _("county")
        SERVICE_POINT = "service_point", _("service point")
        PARTNER = "partner", _("partner organisation")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    path = models.CharField(max_length=400, editable=False, db_index=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta(Named.Meta):
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]

    def save(self, *args, **kwargs):
        old_path = self.path
        self.path = (self.parent.path if self.parent else "") + self.code + "/"
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            for child in self.children.all():
                child.save()

    def subtree(self) -> models.QuerySet["OrgUnit"]:
        """This unit and every unit below it."""
        return OrgUnit.objects.filter(path__startswith=self.path)

    def ancestors(self) -> list["OrgUnit"]:
        """The units above this one, root first (empty for the root)."""
        codes = self.path.rstrip("/").split("/")[:-1]
        by_code = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]

    def ancestor_of_kind(self, kind: str) -> "OrgUnit | None":
        """The nearest unit of `kind` on the way to the root, or this unit if it is one."""
        if self.kind == kind:
            return self
        return next((u for u in reversed(self.ancestors()) if u.kind == kind), None)


class Service(Named):
    """A victim-support service (VS, WSC, SAK, …); its owners are Responsibility rows."""

    description_et = models.TextField(_("description (Estonian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    reference = models.CharField(_("legal or methodological reference"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta(Named.Meta):
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def owners(self):
        today = date.today()
        return [
            r.person
            for r in self.responsibilities.current(today).filter(
                role=Responsibility.Role.SERVICE_OWNER
            )
        ]


class Provider(models.Model):
    """An org unit delivering a service from `start` to `end` (open-ended when blank).

    Expected statistics reports come from these periods, so a closed provider stops being
    expected and a reporting rate cannot exceed 100 %.
    """

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="provisions", verbose_name=_("unit")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="providers", verbose_name=_("service")
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["service__code", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "service", "start"], name="provider_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="provider_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.service.code}"

    def is_active_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class Partner(models.Model):
    """A partner organisation: police, prosecutor, local government, hospital, NGO, school…"""

    class Kind(models.TextChoices):
        POLICE = "police", _("police")
        PROSECUTOR = "prosecutor", _("prosecutor's office")
        COURT = "court", _("court")
        LOCAL_GOVERNMENT = "local_government", _("local government")
        HEALTH = "health", _("health care")
        NGO = "ngo", _("non-governmental organisation")
        SCHOOL = "school", _("school")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    registry_code = models.CharField(_("registry code"), max_length=20, blank=True)
    unit = models.OneToOneField(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner",
        verbose_name=_("org unit"),
        help_text=_("The partner's own unit in the tree when it delivers a service."),
    )
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A named contact person of a partner organisation (staff, never a client)."""

    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("partner organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["partner__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.partner})"


class Agreement(models.Model):
    """A cooperation agreement with a partner: its term and its scope."""

    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="agreements",
        verbose_name=_("partner organisation"),
    )
    title = models.CharField(_("title"), max_length=200)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    scope = models.TextField(_("scope"), blank=True)
    services = models.ManyToManyField(
        Service, blank=True, related_name="agreements", verbose_name=_("services")
    )

    class Meta:
        verbose_name = _("cooperation agreement")
        verbose_name_plural = _("cooperation agreements")
        ordering = ["partner__name", "-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="agreement_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {self.title}"


class ResponsibilityQuerySet(models.QuerySet):
    def current(self, day: date | None = None) -> "ResponsibilityQuerySet":
        day = day or date.today()
        return self.filter(
            Q(start__isnull=True) | Q(start__lte=day), Q(end__isnull=True) | Q(end__gte=day)
        )


class Responsibility(models.Model):
    """A person's role, over one service, one unit (with its subtree), or everything.

    * analyst — everything (service and unit blank);
    * service_owner — a service, everywhere it is delivered;
    * provider — data entry for a unit and the units below it;
    * manager — read-only overviews, of a unit's subtree or (blank) of the whole country.
    """

    class Role(models.TextChoices):
        ANALYST = "analyst", _("analyst")
        SERVICE_OWNER = "service_owner", _("service owner")
        PROVIDER = "provider", _("provider")
        MANAGER = "manager", _("manager")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="responsibilities",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="responsibilities",
        verbose_name=_("service"),
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="responsibilities",
        verbose_name=_("unit"),
    )
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)

    objects = ResponsibilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        ordering = ["person__username", "role"]
        constraints = [
            models.CheckConstraint(
                name="responsibility_scope_fits_role",
                condition=(
                    Q(role="analyst", service__isnull=True, unit__isnull=True)
                    | Q(role="service_owner", service__isnull=False, unit__isnull=True)
                    | Q(role="provider", unit__isnull=False)
                    | Q(role="manager", service__isnull=True)
                ),
            ),
        ]

    def __str__(self) -> str:
        scope = self.service or self.unit or _("everything")
        return f"{self.person} — {self.get_role_display()} — {scope}"

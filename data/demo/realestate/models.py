"""A Persian real-estate investment ledger.

The models are chosen to cover every column kind that a Django/SQLite
backup must carry through fixtures: foreign keys (one of them to self, some
nullable), an auto-created many-to-many table, decimals, date-times, dates,
times, booleans (also nullable), JSON, binary, floats, files, and Persian
text with ZWNJ, emoji and Persian/Arabic digits.
"""
from django.conf import settings
from django.db import models


class Project(models.Model):
    name = models.CharField("نام پروژه", max_length=200)
    slug = models.SlugField(max_length=80, unique=True, allow_unicode=True)
    city = models.CharField("شهر", max_length=100)
    description = models.TextField("شرح", blank=True)
    start_date = models.DateField("تاریخ شروع")
    finish_date = models.DateField("تاریخ پایان", null=True, blank=True)
    budget = models.DecimalField("بودجه", max_digits=14, decimal_places=2)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    is_active = models.BooleanField("فعال", default=True)
    metadata = models.JSONField(null=True, blank=True)
    cover = models.FileField(upload_to="projects/covers/", blank=True)
    created_at = models.DateTimeField()
    investors = models.ManyToManyField(
        "Investor", related_name="projects", blank=True
    )

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class Investor(models.Model):
    full_name = models.CharField("نام و نام خانوادگی", max_length=200)
    national_code = models.CharField("کد ملی", max_length=20)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(null=True, blank=True)
    referred_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="referrals",
    )
    joined_at = models.DateTimeField()
    birth_date = models.DateField(null=True, blank=True)
    share_percent = models.FloatField(default=0.0)
    is_verified = models.BooleanField(default=False)
    accepts_sms = models.BooleanField(null=True)
    signature = models.BinaryField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.full_name


class Unit(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="units"
    )
    code = models.CharField(max_length=32)
    floor = models.SmallIntegerField()
    rooms = models.PositiveSmallIntegerField(default=2)
    area = models.FloatField("متراژ")
    price = models.DecimalField(max_digits=14, decimal_places=2)
    is_sold = models.BooleanField(default=False)
    sold_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(
        Investor, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="units",
    )
    features = models.JSONField(default=dict, blank=True)
    floor_plan = models.FileField(upload_to="units/plans/", blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "code"], name="unit_code_per_project"
            ),
        ]

    def __str__(self):
        return self.code


class Transaction(models.Model):
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    PROFIT = "profit"
    PURCHASE = "purchase"
    KINDS = [
        (DEPOSIT, "واریز"),
        (WITHDRAWAL, "برداشت"),
        (PROFIT, "سود"),
        (PURCHASE, "خرید واحد"),
    ]

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="transactions"
    )
    investor = models.ForeignKey(
        Investor, on_delete=models.PROTECT, related_name="transactions"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="transactions",
    )
    kind = models.CharField(max_length=16, choices=KINDS)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    exchange_rate = models.FloatField(null=True, blank=True)
    occurred_at = models.DateTimeField()
    value_date = models.DateField()
    entry_time = models.TimeField()
    description = models.TextField(blank=True)
    confirmed = models.BooleanField(default=False)
    receipt_thumbnail = models.BinaryField(null=True, blank=True)
    attachment = models.FileField(upload_to="receipts/", blank=True)
    extra = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return "%s %s" % (self.kind, self.amount)


class Expense(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="expenses"
    )
    category = models.CharField(max_length=50)
    title = models.CharField(max_length=300)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    spent_on = models.DateField()
    paid_time = models.TimeField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True,
        on_delete=models.SET_NULL, related_name="approved_expenses",
    )
    is_reimbursable = models.BooleanField(default=False)
    invoice = models.FileField(upload_to="invoices/%Y/", blank=True)
    details = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.title

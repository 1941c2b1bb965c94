"""manage.py seed [--scale N] [--seed S]

Fill an already migrated, empty demo database with a deterministic Persian
real-estate ledger, and write the media files its FileFields reference.

Scale 1 gives about 5 projects, 20 investors, 60 units, 300 transactions and
100 expenses; scale N multiplies these counts.  Rows are generated one batch
at a time and written with bulk_create, so large scales stay memory-flat.
"""
import datetime
import os
import random
import struct
import zlib
from decimal import Decimal
from unittest import mock

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandError
from django.db import reset_queries, transaction

from realestate.models import Expense, Investor, Project, Transaction, Unit

UTC = datetime.timezone.utc
BATCH = 2000

ZWNJ = "\u200c"
FA_DIGITS = "۰۱۲۳۴۵۶۷۸۹"  # Extended Arabic-Indic (Persian)
AR_DIGITS = "٠١٢٣٤٥٦٧٨٩"  # Arabic-Indic

# The flagship row: Project 1 always carries exactly this text.
FLAGSHIP_NAME = "برج‌های سرمایه‌گذاری تهران 🏠"
FLAGSHIP_DESCRIPTION = (
    "می‌خواهم خانه‌ها را پیش‌فروش کنم 💰🏗️ — بودجه: ۱۲۳٬۴۵۶٬۷۸۹ تومان، "
    "زیربنا ١٢٠ م²\n"
    "خط دوم\tبا «نقل‌قول» و \"quote\" و \\ بک‌اسلش و \u200fعلامت RLM "
    "و خانواده 👨\u200d👩\u200d👧 "
)

CITIES = ["تهران", "اصفهان", "شیراز", "مشهد", "تبریز", "کرج", "رشت", "یزد"]
PROJECT_KINDS = [
    "برج‌های", "مجتمع مسکونی", "شهرک", "آپارتمان‌های", "ویلاهای", "پاساژ",
]
FIRST_NAMES = [
    "علی", "مریم", "رضا", "زهرا", "محمد", "فاطمه", "حسین", "نرگس",
    "امیر‌حسین", "سارا", "مهدی", "لیلا", "عبدالله", "نیلوفر", "Kian", "Darya",
]
LAST_NAMES = [
    "محمدی‌نژاد", "احمدی", "کریمی", "حسینی", "زین‌العابدینی", "رضایی",
    "موسوی", "طاهری‌فرد", "نوروزی", "جعفری", "O'Brien", "صادقی",
]
PHRASES = [
    "واریز سهم الشرکه",
    "پرداخت‌شده توسط سرمایه‌گذار",
    "سود سه‌ماهه 💰",
    "خرید واحد نیم‌طبقه 🏠",
    "می‌خواهم سهمم را افزایش دهم",
    "تسویه حساب خانه‌ها",
    "هزینه‌های جانبی",
    "Transfer via bank — شبا IR12 0000",
    "قسط ۳ از ١٢",
    "",
]
EXPENSE_CATEGORIES = [
    ("مصالح", "خرید سیمان و آهن‌آلات"),
    ("دستمزد", "دستمزد کارگران ساختمانی"),
    ("مجوز", "عوارض شهرداری و پروانه‌ی ساخت"),
    ("تاسیسات", "لوله‌کشی و برق‌کشی خانه‌ها"),
    ("طراحی", "نقشه‌های معماری 📐"),
    ("حقوقی", "حق‌الوکاله و ثبت قرارداد"),
]
FEATURES = ["آسانسور", "پارکینگ", "انباری", "بالکن", "لابی", "استخر", "روف‌گاردن"]
VIEWS = ["رو به کوه ⛰️", "رو به شهر", "حیاط‌دار", None]

START = datetime.datetime(2018, 3, 21, tzinfo=UTC)
SPAN_SECONDS = int(
    (datetime.datetime(2025, 12, 20, tzinfo=UTC) - START).total_seconds()
)


def fa(number):
    return str(number).translate(str.maketrans("0123456789", FA_DIGITS))


def ar(number):
    return str(number).translate(str.maketrans("0123456789", AR_DIGITS))


def png(width, height, rgb):
    """A tiny valid truecolour PNG."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind, data):
        body = kind + data
        return (struct.pack(">I", len(data)) + body
                + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


PDF = (b"%PDF-1.4\n% \xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n"
       b"trailer << /Root 1 0 R >>\n%%EOF\n")

# name relative to MEDIA_ROOT -> content
MEDIA_FILES = {
    "projects/covers/cover-1.png": png(2, 2, (0x1F, 0x6F, 0xB4)),
    "projects/covers/نمای\u200cاصلی-۲.png": png(3, 1, (0xFF, 0x00, 0x80)),
    "units/plans/A-101.pdf": PDF,
    "receipts/2023/05/receipt-0001.pdf": PDF.replace(b"Catalog", b"Catalog /Lang (fa)"),
    "invoices/2024/فاکتور-خانه\u200cها.txt":
        "فاکتور شماره‌ی ۱۴۰۳/۰۷\nمبلغ: ١٢٬٥٠٠ تومان 💰\n".encode("utf-8"),
    "README.txt": b"Media of the poshtiban demo project.\n",
}


class Gen:
    """Deterministic value generators on one random stream."""

    def __init__(self, seed):
        self.r = random.Random(seed)

    def dt(self, micro_every=3, i=0):
        d = START + datetime.timedelta(seconds=self.r.randrange(SPAN_SECONDS))
        if i % micro_every == 0:
            d = d.replace(microsecond=self.r.choice(
                [self.r.randrange(1, 1000000), 120000, 500, 999999, 1]))
        return d

    def date(self, lo=2018, hi=2025):
        start = datetime.date(lo, 1, 1)
        return start + datetime.timedelta(
            days=self.r.randrange((datetime.date(hi, 12, 28) - start).days))

    def time(self, i):
        t = datetime.time(self.r.randrange(24), self.r.randrange(60),
                          self.r.randrange(60))
        if i % 4 == 1:
            t = t.replace(microsecond=self.r.randrange(1, 1000000))
        return t

    def money(self, lo=1, hi=10 ** 11):
        return Decimal(self.r.randrange(lo, hi)) / 100

    def blob(self, n):
        # Always contains NUL and 0xff bytes.
        return b"\x00\xff" + bytes(self.r.randrange(256) for _ in range(n)) + b"\xff\x00"

    def pick(self, seq):
        return self.r.choice(seq)


def batched(make, count, model):
    """Create count rows of model from make(i) (1-based), BATCH at a time."""
    rows = []
    for i in range(1, count + 1):
        rows.append(make(i))
        if len(rows) >= BATCH:
            model.objects.bulk_create(rows)
            rows = []
            reset_queries()  # with DEBUG on, Django keeps every query
    if rows:
        model.objects.bulk_create(rows)


class Command(BaseCommand):
    help = "Fill the migrated demo database with deterministic sample data."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1,
                            help="multiply the row counts (default 1)")
        parser.add_argument("--seed", type=int, default=1404,
                            help="random seed (default 1404)")

    def handle(self, *args, **opts):
        scale = opts["scale"]
        if scale < 1:
            raise CommandError("--scale must be at least 1")
        if Project.objects.exists() or User.objects.exists():
            raise CommandError("the database is not empty; seed a freshly migrated one")
        g = Gen(opts["seed"])
        counts = {
            "projects": 5 * scale, "investors": 20 * scale, "units": 60 * scale,
            "transactions": 300 * scale, "expenses": 100 * scale,
        }
        self.write_media()
        with transaction.atomic():
            users = self.seed_auth(g)
            self.seed_investors(g, counts["investors"])
            self.seed_projects(g, counts["projects"], counts["investors"])
            self.seed_units(g, counts["units"], counts["projects"], counts["investors"])
            self.seed_transactions(g, counts)
            self.seed_expenses(g, counts["expenses"], counts["projects"], users)
            self.seed_admin_log(g, users)
        if opts["verbosity"] >= 1:
            self.stdout.write("seeded: " + ", ".join(
                "%d %s" % (v, k) for k, v in counts.items()))

    # -- media -------------------------------------------------------------
    def write_media(self):
        for name, data in MEDIA_FILES.items():
            path = os.path.join(settings.MEDIA_ROOT, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)

    # -- auth, sessions ----------------------------------------------------
    def seed_auth(self, g):
        joined = datetime.datetime(2019, 4, 1, 8, 30, tzinfo=UTC)
        admin = User.objects.create(
            username="admin", email="admin@example.com",
            password=make_password("admin", salt="poshtibandemo1"),
            first_name="مدیر", last_name="سامانه",
            is_staff=True, is_superuser=True, date_joined=joined,
            last_login=datetime.datetime(2025, 11, 3, 6, 15, 42, 123456, tzinfo=UTC),
        )
        maryam = User.objects.create(
            username="maryam", email="maryam@example.com",
            password=make_password("demo-pass", salt="poshtibandemo2"),
            first_name="مریم", last_name="طاهری‌فرد", is_staff=True,
            date_joined=joined + datetime.timedelta(days=40, microseconds=5),
        )
        reza = User.objects.create(
            username="reza", email="", password="!poshtibanDemoUnusablePassword0000000000",
            first_name="رضا", last_name="", is_active=False,
            date_joined=joined + datetime.timedelta(days=400),
        )
        accountants = Group.objects.create(name="حسابداران 💰")
        accountants.permissions.set(Permission.objects.filter(
            content_type__app_label="realestate",
            codename__in=["view_transaction", "add_transaction", "view_expense",
                          "change_expense"]).order_by("id"))
        maryam.groups.add(accountants)
        maryam.user_permissions.add(Permission.objects.get(codename="view_project"))

        with mock.patch("django.core.signing.time.time", return_value=1700000000):
            for key, user, days in (("demo0session0key0admin000000001", admin, 14),
                                    ("demo0session0key0maryam00000002", maryam, 3)):
                data = SessionStore().encode({
                    "_auth_user_id": str(user.pk),
                    "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                    "آخرین_صفحه": "/admin/realestate/project/",
                })
                Session.objects.create(
                    session_key=key, session_data=data,
                    expire_date=datetime.datetime(2030, 1, days, 12, 0, 0, 250000, tzinfo=UTC))
        return [admin, maryam, reza]

    # -- ledger ------------------------------------------------------------
    def seed_investors(self, g, count):
        def make(i):
            first, last = g.pick(FIRST_NAMES), g.pick(LAST_NAMES)
            code = "".join(str(g.r.randrange(10)) for _ in range(10))
            notes = ""
            if i == 1:
                notes = "سرمایه‌گذار اصلی 🏠 — می‌خواهم گزارش‌ها ماهانه ارسال شوند."
            elif i == 3:
                # Control characters and surrogate-range emoji must survive too.
                notes = "سطر اول\r\nسطر دوم\x0cپایان \U0001F4B0\t(tab)"
            elif i % 4 == 0:
                notes = g.pick(PHRASES)
            return Investor(
                id=i,
                full_name="%s %s" % (first, last),
                national_code=fa(code) if i % 3 else (ar(code) if i % 2 else code),
                phone=("۰۹۱۲" + fa(g.r.randrange(1000000, 9999999))) if i % 5 else "",
                email=None if i % 4 == 2 else "investor%d@example.ir" % i,
                referred_by_id=(g.r.randrange(1, i) if i > 1 and i % 3 == 0 else None),
                joined_at=g.dt(i=i),
                birth_date=None if i % 6 == 5 else g.date(1950, 2000),
                share_percent=[12.5, 1 / 3, 0.1, 33.333333333333336, 1e-7, 100.0][i % 6],
                is_verified=i % 2 == 0,
                accepts_sms=[True, False, None][i % 3],
                signature=(None if i % 5 == 4 else (b"" if i == 2 else g.blob(8 + i % 24))),
                notes=notes,
            )
        batched(make, count, Investor)

    def seed_projects(self, g, count, n_investors):
        def make(i):
            city = CITIES[(i - 1) % len(CITIES)]
            meta = None
            if i % 4 != 3:
                meta = {
                    "نوع": g.pick(["مسکونی", "تجاری", "اداری"]),
                    "طبقات": g.r.randrange(2, 30),
                    "امکانات": g.r.sample(FEATURES, 3),
                    "مجوز": {"شماره": fa("%d/%d" % (i * 1000 + 17, 1400 + i % 5)),
                             "صادرشده": i % 2 == 0, "تاریخ": None},
                    "امتیاز": [4.5, 3.75, 5, 0.1][i % 4],
                    "نماد": "🏠💰",
                    "ناظران": [],
                }
            return Project(
                id=i,
                name=FLAGSHIP_NAME if i == 1 else "%s %s %s" % (
                    g.pick(PROJECT_KINDS), city, fa(i)),
                slug="project-%d" % i if i % 2 else "پروژه-%d" % i,
                city=city,
                description=FLAGSHIP_DESCRIPTION if i == 1 else (
                    "" if i % 5 == 0 else "پروژه‌ی شماره‌ی %s در %s 🏗️" % (fa(i), city)),
                start_date=g.date(2018, 2024),
                finish_date=None if i % 2 else g.date(2024, 2027),
                budget=[Decimal("1234567.89"), Decimal("12.50"), Decimal("999999999999.99"),
                        Decimal("100.00")][i - 1] if i <= 4 else g.money(10 ** 9, 10 ** 14),
                latitude=None if i % 3 == 0 else 35.6892 + g.r.random(),
                longitude=None if i % 3 == 0 else 51.3890 - g.r.random(),
                is_active=i % 4 != 0,
                metadata=meta,
                cover={1: "projects/covers/cover-1.png",
                       2: "projects/covers/نمای\u200cاصلی-۲.png"}.get(i, ""),
                created_at=g.dt(i=i),
            )
        batched(make, count, Project)

        through = Project.investors.through

        def pairs():
            for p in range(1, count + 1):
                # Unsorted on purpose: the through table's ids then follow
                # no order that loaddata could reproduce.
                for inv in g.r.sample(range(1, n_investors + 1),
                                      min(n_investors, g.r.randrange(3, 9))):
                    yield through(project_id=p, investor_id=inv)
        rows = []
        for row in pairs():
            rows.append(row)
            if len(rows) >= BATCH:
                through.objects.bulk_create(rows)
                rows = []
                reset_queries()
        through.objects.bulk_create(rows)

    def seed_units(self, g, count, n_projects, n_investors):
        per_project = max(1, count // n_projects)

        def make(i):
            project = min(n_projects, (i - 1) // per_project + 1)
            k = (i - 1) % per_project
            floor = k // 4 - 1  # -1 is the basement
            code = "%s-%d%02d" % ("ABCD"[k % 4], floor + 1, k + 1)
            sold = i % 3 == 0
            return Unit(
                id=i,
                project_id=project,
                code=fa(code) if project % 2 else code,
                floor=floor,
                rooms=1 + k % 4,
                area=round(45 + g.r.random() * 200, 2) if i % 7 else 120.0,
                price=g.money(10 ** 10, 10 ** 13) if i > 2 else Decimal("12.50") * i,
                is_sold=sold,
                sold_at=g.dt(i=i) if sold else None,
                owner_id=g.r.randrange(1, n_investors + 1) if sold else None,
                features={} if i % 5 == 0 else {
                    "بالکن": i % 2 == 0,
                    "پارکینگ": i % 3,
                    "منظره": g.pick(VIEWS),
                    "برچسب‌ها": g.r.sample(FEATURES, 2),
                    "ابعاد": [[3.5, 4.2], [2, 3]],
                },
                floor_plan="units/plans/A-101.pdf" if i == 1 else "",
            )
        batched(make, count, Unit)

    def seed_transactions(self, g, counts):
        n_projects, n_investors, n_units = (
            counts["projects"], counts["investors"], counts["units"])
        per_project = max(1, n_units // n_projects)
        kinds = [k for k, _ in Transaction.KINDS]
        extras = [
            None,
            {"بانک": "ملت", "شماره_پیگیری": fa(987654), "تایید": True,
             "یادداشت": None, "اقساط": [1, 2, 3], "nested": {"a": {"b": ["ج", 1.5]}}},
            ["نقدی", 12, None, False, {"کارمزد": "0.50"}],
            "فقط متن ساده 📝",
            0,
            None,
        ]

        def make(i):
            project = g.r.randrange(1, n_projects + 1)
            kind = kinds[i % len(kinds)]
            unit = None
            if kind == Transaction.PURCHASE:
                unit = min(n_units, (project - 1) * per_project + g.r.randrange(per_project) + 1)
            if i == 1:
                amount = Decimal("12.50")
            elif i == 2:
                amount = Decimal("1234567.89")
            elif i == 3:
                amount = Decimal("0.01")
            else:
                amount = g.money(100, 10 ** 12)
            if kind == Transaction.WITHDRAWAL:
                amount = -amount
            desc = g.pick(PHRASES)
            if i % 10 == 1:
                desc = "%s — مبلغ %s تومان (%s)" % (desc, fa(amount), ar(i))
            return Transaction(
                id=i,
                project_id=project,
                investor_id=g.r.randrange(1, n_investors + 1),
                unit_id=unit,
                kind=kind,
                amount=amount,
                exchange_rate=None if i % 4 else [1 / 3, 0.1, 123456.789, 5.5e20][i // 4 % 4],
                occurred_at=g.dt(i=i),
                value_date=g.date(),
                entry_time=g.time(i),
                description=desc,
                confirmed=i % 3 != 0,
                receipt_thumbnail=(png(1, 1, (i % 256, 0, 255)) if i % 7 == 0
                                   else (g.blob(4) if i % 11 == 0 else None)),
                attachment="receipts/2023/05/receipt-0001.pdf" if i == 1 else "",
                extra=extras[i % len(extras)],
            )
        batched(make, counts["transactions"], Transaction)

    def seed_expenses(self, g, count, n_projects, users):
        user_ids = [u.pk for u in users] + [None]

        def make(i):
            category, title = EXPENSE_CATEGORIES[i % len(EXPENSE_CATEGORIES)]
            return Expense(
                id=i,
                project_id=g.r.randrange(1, n_projects + 1),
                category=category,
                title="%s — مرحله‌ی %s" % (title, fa(i % 9 + 1)),
                amount=Decimal("12.50") if i == 1 else g.money(1000, 10 ** 10),
                spent_on=g.date(),
                paid_time=None if i % 3 == 0 else g.time(i),
                recorded_at=g.dt(i=i),
                approved_by_id=user_ids[i % len(user_ids)],
                is_reimbursable=i % 4 == 0,
                invoice="invoices/2024/فاکتور-خانه\u200cها.txt" if i == 1 else "",
                details=None if i % 2 else {
                    "فروشنده": g.pick(["آهن‌فروشی برادران", "مصالح ساختمانی نوین", None]),
                    "اقلام": [{"نام": g.pick(FEATURES), "تعداد": g.r.randrange(1, 50),
                               "قیمت": str(g.money(1000, 10 ** 7))}],
                    "پرداخت_نقدی": i % 3 == 0,
                },
            )
        batched(make, count, Expense)

    def seed_admin_log(self, g, users):
        entries = [
            (Project, 1, ADDITION, '[{"added": {}}]'),
            (Project, 1, CHANGE, '[{"changed": {"fields": ["\\u0634\\u0631\\u062d"]}}]'),
            (Investor, 2, ADDITION, '[{"added": {}}]'),
            (Unit, 3, CHANGE, "قیمت واحد به‌روزرسانی شد 🏠"),
            (Transaction, 4, DELETION, ""),
            (Expense, 1, ADDITION, '[{"added": {}}]'),
        ]
        for n, (model, pk, flag, message) in enumerate(entries, start=1):
            obj = model.objects.filter(pk=pk).first()
            LogEntry.objects.create(
                id=n,
                action_time=g.dt(i=n),
                user=users[n % 2],
                content_type=ContentType.objects.get_for_model(model),
                object_id=str(pk),
                object_repr=str(obj)[:200] if obj else "حذف‌شده",
                action_flag=flag,
                change_message=message,
            )

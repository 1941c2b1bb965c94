# SPDX-License-Identifier: GPL-3.0-or-later
"""One model, two renderers (one-voice.sh): each field of a command's --json,
rendered here on its own in English or Persian (digits, sizes, durations,
ages, the Solar Hijri calendar, translated words from the built catalog),
must be the text the same command prints.

Usage: one_voice.py show|list|stats|plan LANG PODIR JSON-FILE TEXT-FILE
Exits 1 naming each field whose text is not the rendering of its JSON value.
"""
import datetime
import decimal
import gettext
import json
import re
import sys

what, lang, podir, json_path, text_path = sys.argv[1:6]
fa = lang == "fa"
tr = (gettext.translation("poshtiban", podir, languages=["fa"]) if fa
      else gettext.NullTranslations())
_ = tr.gettext
P_ = tr.ngettext

doc = json.load(open(json_path, encoding="utf-8"))
# The text as read: no isolates or marks, runs of spaces as one.
def plain(line):
    return re.sub(r" +", " ", re.sub(r"[\u2066-\u2069\u200e\u200f]", "", line)).strip()
raw_lines = open(text_path, encoding="utf-8").read().splitlines()
lines = [plain(l) for l in raw_lines]
problems = []


def digits(text):
    if not fa:
        return text
    return text.translate(str.maketrans("0123456789,.", "۰۱۲۳۴۵۶۷۸۹٬٫"))


def count(n):
    return digits("{:,}".format(n) if fa else str(n))


def dec(x, places):
    q = decimal.Decimal(repr(x)).quantize(decimal.Decimal(1).scaleb(-places),
                                          rounding=decimal.ROUND_HALF_EVEN)
    text = "{:,}".format(q) if fa else str(q)
    return digits(text)


def size(b):
    units = ["B", "KiB", "MiB", "GiB", "TiB"]
    value, unit = float(b), 0
    while value >= 1024 and unit + 1 < len(units):
        value /= 1024
        unit += 1
    number = count(b) if unit == 0 else dec(value, 1 if value < 10 else 0)
    return "%s %s" % (number, _(units[unit]))


def duration(ms):
    if ms < 1000:
        return _("%s ms") % count(ms)
    if ms < 60000:
        return _("%s s") % dec(ms / 1000, 1)
    if ms < 3600000:
        return _("%s min %s s") % (count(ms // 60000), count(ms // 1000 % 60))
    return _("%s h %s min") % (count(ms // 3600000), count(ms // 60000 % 60))


def age(s):
    if s < 60:
        return _("just now")
    n = s // 60 if s < 3600 else s // 3600 if s < 86400 else s // 86400
    one, many = (("%s minute ago", "%s minutes ago") if s < 3600 else
                 ("%s hour ago", "%s hours ago") if s < 86400 else
                 ("%s day ago", "%s days ago"))
    return P_(one, many, n) % count(n)


def jalali(g):
    """The Solar Hijri (year, month, day) of a Gregorian date."""
    # From 1 Farvardin 1400 (2021-03-21), through the leap years of the
    # 33-year cycle ICU's arithmetic Persian calendar keeps.
    days = (g - datetime.date(2021, 3, 21)).days
    if days < 0:
        raise ValueError("before 1400: %s" % g)
    y = 1400
    while True:
        n = 366 if (25 * y + 11) % 33 < 8 else 365
        if days < n:
            break
        days -= n
        y += 1
    for m in range(1, 13):
        n = 31 if m <= 6 else 30 if m <= 11 else (30 if (25 * y + 11) % 33 < 8 else 29)
        if days < n:
            return y, m, days + 1
        days -= n
    raise ValueError(g)


MONTHS_FA = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان",
             "آذر", "دی", "بهمن", "اسفند"]
DAYS_FA = ["دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "یکشنبه"]


def moment(iso):
    return datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")


def minute(iso, seconds=False):
    t = moment(iso)
    clock = t.strftime("%H:%M:%S" if seconds else "%H:%M")
    if not fa:
        return t.strftime("%Y-%m-%d ") + clock
    y, m, d = jalali(t.date())
    return digits("%04d/%02d/%02d %s" % (y, m, d, clock))


def when(iso):
    t = moment(iso)
    if fa:
        y, m, d = jalali(t.date())
        day = "%s %s %s %s" % (DAYS_FA[t.weekday()], digits(str(d)), MONTHS_FA[m - 1],
                               digits(str(y)))
    else:
        day = "%s %d %s %d" % (t.strftime("%A"), t.day, t.strftime("%B"), t.year)
    return _("%s, %s UTC") % (day, digits(t.strftime("%H:%M")))


def expect(field, want, got):
    if want != got:
        problems.append("%s: %s renders as [%s], the text says [%s]" % (what, field, want, got))


def has_line(field, want):
    if plain(want) not in lines:
        problems.append("%s: %s: no line [%s] in the text" % (what, field, plain(want)))


def tables_in_text(tables, header):
    if header is not None:
        has_line("tables", header)
    for name, rows in tables.items():
        has_line("tables.%s" % name, "%s %s" % (name, count(rows)))


if what == "show":
    def field(label, want):
        """The line "label value" (show pads the label), else the line the label starts."""
        line = plain("%s %s" % (_(label), want[0]))
        if line not in lines:
            said = [l for l in lines if l.startswith(_(label) + " ")]
            problems.append("show: %s (%s) renders as [%s], the text says %r" % (
                _(label), want[1], want[0], said))
    d = doc
    field("ID", (count(d["id"]), "id"))
    field("Name", (d["name"], "name"))
    field("Status", (_(d["status"]), "status"))
    field("Kind", (_(d["kind"]), "kind"))
    field("Format", (d["format"], "format"))
    field("Path", (d["path"], "path"))
    field("Created", (when(d["created_at"]), "created_at"))
    field("Finished", (when(d["finished_at"]), "finished_at"))
    field("Duration", (duration(d["duration_ms"]), "duration_ms"))
    field("Size", (size(d["size_bytes"]), "size_bytes"))
    field("Media", (_("included") if d["include_media"] else _("not included"), "include_media"))
    field("Pinned", (_("yes: retention keeps it") if d["pinned"] else _("no"), "pinned"))
    verified = (_("never") if d["verify_ok"] is None else
                _("%s, %s") % (_("ok") if d["verify_ok"] else _("DAMAGED"),
                                 when(d["verified_at"])))
    field("Verified", (verified, "verify_ok, verified_at"))
    if d["message"]:
        field("Message", (d["message"], "message"))
    tables_in_text(d["tables"], _("Tables:"))
elif what == "list":
    rows = [[c for c in re.split(r" {2,}", re.sub(r"[\u2066-\u2069\u200e\u200f]", "", l).strip())]
            for l in raw_lines if l.strip()]
    backups = doc["backups"]
    if len(rows) != len(backups) + 1:
        problems.append("list: %d rows for %d backups" % (len(rows) - 1, len(backups)))
    for b, row in zip(backups, rows[1:]):
        name = ("📌" if b["pinned"] else "") + b["name"] + (
            " ☁" if b["offsite"] and b["offsite"]["snapshot"] else "")
        want = [count(b["id"]), name, _(b["kind"]), _(b["status"]), size(b["size_bytes"]),
                minute(b["created_at"])]
        for key, w, g in zip(["id", "name", "kind", "status", "size_bytes", "created_at"],
                             want, row):
            expect("%s.%s" % (b["name"], key), w, g)
elif what == "stats":
    b, db = doc["backups"], doc["database"]
    has_line("backups", _("Backups: %s (%s completed, %s failed), %s\n") % (
        count(b["total"]), count(b["completed"]), count(b["failed"]), size(b["bytes"])))
    if b["last_success_at"]:
        has_line("backups.last_success_*", _("Last successful backup: %s, %s UTC (%s)\n") % (
            b["last_success_name"], minute(b["last_success_at"]), age(b["last_success_age_s"])))
        has_line("backups.average_duration_ms",
                 _("Average duration: %s\n") % duration(b["average_duration_ms"]))
    c = doc["changes"]
    if c["points"]:
        prefix = plain(_("Change sets: %s (%s), %s\n") % (count(c["points"]), size(c["bytes"]), ""))
        if not any(l.startswith(prefix.rstrip("،, ")) for l in lines):
            problems.append("stats: changes: no line starting [%s]" % prefix)
    if db["exists"]:
        has_line("database", _("Database: %s (%s)\n") % (db["path"], size(db["size_bytes"])))
    tables_in_text(db["tables"], None)
elif what == "plan":
    d = doc
    has_line("backup", _("Restore %s") % d["backup"])
    if d["database"]:
        changed = sum(1 for t in d["tables"] if t["now"] != t["after"] or t["added"]
                      or t["removed"] or t["changed"])
        has_line("database", _("Database %s: %s of %s tables change (*):") % (
            d["database"], count(changed), count(len(d["tables"]))))
        notes = {"no_primary_key": "no primary key: counts only",
                 "key_differs": "its primary key differs: counts only",
                 "only_in_backup": "only in the backup",
                 "only_now": "not in the backup: dropped"}
        for t in d["tables"]:
            cells = [t["name"], count(t["now"]) if t["now"] is not None else "-",
                     "←" if fa else "→", count(t["after"]) if t["after"] is not None else "-"]
            if t["now"] != t["after"] or t["added"] or t["removed"] or t["changed"]:
                cells.append("*")
            if t["rows"] == "compared" and (t["added"] or t["removed"] or t["changed"]):
                cells.append(_("%s changed, %s added back, %s removed") % (
                    count(t["changed"]), count(t["added"]), count(t["removed"])))
            elif t["rows"] in notes:
                cells.append(_(notes[t["rows"]]))
            elif t["rows"] == "not_compared" and t["now"] is not None and t["after"] is not None:
                cells.append(_("not compared: counts only"))
            has_line("tables.%s" % t["name"], " ".join(cells))
    if d["media_folder"]:
        m = d["media"]
        has_line("media", _("Media %s: %s to add (+), %s to change (~), %s to remove (-)") % (
            d["media_folder"], count(len(m["add"])), count(len(m["change"])),
            count(len(m["remove"]))))
        for mark, key in (("+", "add"), ("~", "change"), ("-", "remove")):
            for path in m[key]:
                has_line("media.%s" % key, "%s %s" % (mark, path))
else:
    sys.exit("one_voice.py: show, list, stats or plan, not %s" % what)

for p in problems:
    print(p)
sys.exit(1 if problems else 0)

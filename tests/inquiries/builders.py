"""Inquiries for tests: `make_inquiry(**fields)` with sensible defaults, and the builders
the access table uses (an inquiry, a file attached to it)."""

from datetime import date

from seire.inquiries.models import AnswerFile, Inquiry


def make_inquiry(**fields) -> Inquiry:
    values = {
        "requester_name": "Mari Maasikas",
        "organisation": "Justiitsministeerium",
        "requester_type": "ministry",
        "channel": "email",
        "received_on": date(2026, 3, 2),
        "legal_basis": "information_request",
        "question": "Mitu ohvriabi klienti oli Harjumaal 2025. aastal?",
    } | fields
    if "due_date" not in values:
        values["due_date"] = Inquiry(**values).implied_due()
    values.setdefault("first_due", values["due_date"])
    return Inquiry.objects.create(**values)


def an_inquiry(cast) -> int:
    """The first inquiry of the register (made when there is none)."""
    first = Inquiry.objects.order_by("pk").first()
    return (first or make_inquiry(assignee=cast.ann)).pk


def an_answer_file(cast) -> int:
    """A CSV file attached to that inquiry's answer."""
    inquiry = Inquiry.objects.get(pk=an_inquiry(cast))
    return AnswerFile.objects.create(
        inquiry=inquiry, name="table.csv", content_type="text/csv", content=b"a,b\n1,2\n"
    ).pk


def episodes_2025(cast) -> None:
    """Episodes opened in 2025: Harju 12 women and 3 men (a small count), Tartu 8 and 7."""
    from seire.collection.models import Episode

    rows = [
        (cast.harju_vs, cast.harju, "female", 12),
        (cast.harju_vs, cast.harju, "male", 3),
        (cast.tartu_vs, cast.tartu, "female", 8),
        (cast.tartu_vs, cast.tartu, "male", 7),
    ]
    n = 0
    for unit, county, gender, count in rows:
        for i in range(count):
            n += 1
            Episode.objects.create(
                source_id=f"E{n}",
                client_key=f"client-{n}",
                service=cast.vs,
                unit=unit,
                county=county,
                opened=date(2025, 1 + i % 12, 10),
                crime_type="domestic_violence",
                gender=gender,
                age_group="26-35",
                referral_source="police",
            )

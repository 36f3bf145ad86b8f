"""The demo register: a year of inquiries (about 150, the volume DOMAIN.md gives) ending on
the seeded country's last day, in realistic mixes — the ministries and the police ask most
and with longer terms, journalists and the public under the Public Information Act's five
working days, researchers for larger tables. Most are answered on time; a few late, a few
extended (with reason and a new due date), a few refused, a few still open and overdue.
Everything comes from the step's `rng`: the same seed gives the same register.
"""

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model

from seire.demo import country as facts
from seire.inquiries.deadlines import add_working_days, due_date
from seire.inquiries.models import Inquiry, Status

PER_YEAR = 150
# requester type → (weight, organisations, legal bases with weights, channels)
MIX = {
    "ministry": (
        20,
        ["Justiitsministeerium", "Sotsiaalministeerium", "Siseministeerium"],
        [("explanation_request", 3), ("other", 2), ("information_request", 1)],
        ["email", "letter"],
    ),
    "partner": (
        20,
        ["Politsei- ja Piirivalveamet", "Prokuratuur", "Tallinna Sotsiaal- ja Tervishoiuamet"],
        [("other", 3), ("information_request", 2)],
        ["email", "phone"],
    ),
    "media": (
        22,
        ["ERR", "Postimees", "Eesti Päevaleht", "Delfi", "Õhtuleht"],
        [("information_request", 1)],
        ["email", "phone"],
    ),
    "research": (
        13,
        ["Tartu Ülikool", "Tallinna Ülikool", "Eesti Inimõiguste Keskus"],
        [("other", 2), ("information_request", 1)],
        ["email"],
    ),
    "public": (18, [""], [("information_request", 1)], ["email", "web", "letter"]),
    "internal": (7, ["Sotsiaalkindlustusamet"], [("other", 1)], ["email", "in_person"]),
}
QUESTIONS = {
    "ministry": "Palun esitage ohvriabi klientide arv maakonniti {year}. aasta {q}. kvartalis.",
    "partner": "Mitu politsei suunatud ohvrit võeti {year}. aastal ühendust kahe tööpäeva jooksul?",
    "media": "Mitu perevägivalla ohvrit pöördus ohvriabisse {year}. aasta {q}. kvartalis?",
    "research": "Palume ohvriabi episoodide arvu kuriteoliigi, soo ja vanuserühma kaupa {year}.",
    "public": "Kui palju inimesi sai {year}. aastal ohvriabi minu maakonnas?",
    "internal": "Juhtkonna ülevaade: uued kliendid ja tagasiside {year}. aasta {q}. kvartalis.",
}
LATE_SHARE, EXTENDED_SHARE, REFUSED_SHARE = 0.08, 0.05, 0.03
OPEN_OVERDUE = 3  # still open at the end of the year, past their due date


def _weighted(rng: random.Random, pairs):
    names, weights = zip(*pairs, strict=True)
    return rng.choices(names, weights=weights)[0]


def seed_inquiries(country, rng: random.Random) -> None:
    """The register's last year of the seeded country (see the module docstring)."""
    last = country.last_day
    first = max(country.first_day, date(last.year, 1, 1))
    analyst = get_user_model().objects.filter(username="analyst").first()
    types = [(name, spec[0]) for name, spec in MIX.items()]
    made: list[Inquiry] = []
    received = sorted(country.day(rng, first, last - timedelta(days=10)) for _ in range(PER_YEAR))
    overdue = set(rng.sample(range(PER_YEAR - 40, PER_YEAR - 5), OPEN_OVERDUE))
    for index, day in enumerate(received):
        kind = _weighted(rng, types)
        _, organisations, bases, channels = MIX[kind]
        basis = _weighted(rng, bases)
        due = due_date(basis, day)
        inquiry = Inquiry(
            requester_name=f"{rng.choice(facts.FIRST_NAMES)} {rng.choice(facts.SURNAMES)}",
            organisation=rng.choice(organisations),
            requester_type=kind,
            channel=rng.choice(channels),
            received_on=day,
            legal_basis=basis,
            first_due=due,
            due_date=due,
            assignee=analyst,
            question=QUESTIONS[kind].format(year=day.year - 1, q=rng.randint(1, 4)),
        )
        _settle(inquiry, rng, basis, last, open_overdue=index in overdue)
        made.append(inquiry)
    Inquiry.objects.bulk_create(made)
    # A few follow-ups: a later request from the same organisation on the same subject.
    media = [i for i in Inquiry.objects.filter(requester_type="media").order_by("pk")]
    for earlier, later in zip(media[::9], media[1::9], strict=False):
        later.related.add(earlier)


def _settle(inquiry: Inquiry, rng: random.Random, basis: str, last: date, open_overdue: bool):
    """Status, reply day and reasons: what happened to the inquiry by `last`."""
    working = basis == "information_request"
    if open_overdue:
        inquiry.status = Status.IN_PROGRESS
        return
    roll = rng.random()
    if roll < EXTENDED_SHARE:
        inquiry.due_date = (
            add_working_days(inquiry.first_due, 15)
            if working
            else (inquiry.first_due + timedelta(days=30))
        )
        inquiry.status_reason = "Vastamiseks on vaja andmeid partneritelt; tähtaega pikendati."
        reply = add_working_days(inquiry.first_due, rng.randint(3, 14))
    elif roll < EXTENDED_SHARE + LATE_SHARE:
        reply = inquiry.due_date + timedelta(days=rng.randint(1, 12))
    elif working:
        reply = add_working_days(inquiry.received_on, rng.randint(1, 5))
    else:
        reply = inquiry.received_on + timedelta(days=rng.randint(5, 30))
        reply = min(reply, inquiry.due_date)
    if reply > last:
        inquiry.status = Status.EXTENDED if inquiry.status_reason else Status.IN_PROGRESS
        return
    inquiry.closed_on = reply
    if rng.random() < REFUSED_SHARE:
        inquiry.status = Status.REFUSED
        inquiry.status_reason = (
            "Küsitud tabeli lahtrid on nii väikesed, et inimesed oleksid äratuntavad "
            "(isikuandmete kaitse); pakuti koondatud tabelit."
        )
    else:
        inquiry.status = Status.ANSWERED
        inquiry.answer = "Vastus saadeti e-postiga; tabel on lisatud avalikustamise kontrolliga."

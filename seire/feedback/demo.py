"""The demo's feedback: invitations, responses, free texts with personal data, inbox items.

`feedback(country, rng)` is a step of `seire seed` (after the episodes): about 70 % of the
closed general victim support episodes get an invitation by text message or e-mail, 15–25 %
of those answer (the DOMAIN rates), about a third of the answers carry free text in
Estonian, Russian or English built from templates, and about 8 % of the texts carry a
personal code (valid or not), a phone number, an e-mail address or an IBAN — which the
stored copy must show redacted. Each response with text or a low rating becomes an item,
routed as live feedback is; older items are acted on and closed. Everything is drawn from
the step's `rng` and dated from the episodes, so a seed gives the same database.
"""

import hashlib
import random
import string
from datetime import UTC, date, datetime, time, timedelta

from seire.collection.models import Episode
from seire.demo.values import insert
from seire.feedback import crypto, loop
from seire.feedback.answers import period_for
from seire.feedback.items import (
    Action,
    FeedbackItem,
    RoutingRule,
    ThemeCorrection,
    YouSaidWeDid,
)
from seire.feedback.models import Answer, Invitation, Response, Survey
from seire.organisation.models import OrgUnit, Partner, Responsibility, Service
from seire.textscan import redact

INVITED = 0.7
ANSWERED = 0.2
WITH_TEXT = 0.35
WITH_PERSONAL_DATA = 0.08
SATISFACTION = {5: 0.45, 4: 0.25, 3: 0.12, 2: 0.10, 1: 0.08}
LANGUAGE = {"et": 0.62, "ru": 0.3, "en": 0.08}

TEXTS = {
    "positive": {
        "et": [
            "Töötaja oli väga abivalmis ja kuulas mind ära. Aitäh!",
            "Sain selget infot oma õigustest ja sellest, mis edasi saab. Olen väga rahul.",
            "Tänan, et aitasite hüvitise taotlusega. Soovitan teid kõigile.",
            "Tundsin end lõpuks turvaliselt, turvakodu koht leiti kiiresti.",
        ],
        "ru": [
            "Спасибо большое, специалист очень помогла и выслушала меня.",
            "Всё объяснили про мои права, очень доволен помощью.",
            "Благодарю за поддержку во время суда, без вас я бы не справилась.",
        ],
        "en": [
            "Thank you, the worker was kind and explained my rights clearly.",
            "Very helpful with the compensation claim, I would recommend this service.",
        ],
    },
    "negative": {
        "et": [
            "Pidin kaua ootama, keegi ei helistanud tagasi.",
            "Töötaja suhtumine oli ükskõikne, tundsin et mind ei usutud.",
            "Ei saanud aru, kuhu edasi pöörduda, info oli segane.",
            "Politsei ülekuulamine oli raske ja keegi ei selgitanud menetlust.",
            "Kontor on kaugel ja bussiga ei saa sinna õigel ajal.",
        ],
        "ru": [
            "Очень долго ждала ответа, никто не перезвонил.",
            "Не было переводчика, на русском ничего не объяснили.",
            "Отношение было равнодушное, мне не поверили.",
            "Компенсацию так и не выплатили, непонятно почему.",
        ],
        "en": [
            "I waited for weeks and nobody called back.",
            "Nobody told me where to turn after the court hearing.",
        ],
    },
    "mixed": {
        "et": [
            "Töötaja oli sõbralik, aga ootama pidin liiga kaua.",
            "Abi oli hea, kuid infot kohtuistungi kohta oli vähe.",
        ],
        "ru": ["Спасибо за помощь, но ждать пришлось слишком долго."],
        "en": ["Helpful staff, but the office is far away and hard to reach by bus."],
    },
}
DANGER = {
    "et": "Ta ähvardas mind tappa ja ma kardan oma elu pärast.",
    "ru": "Бывший муж угрожает убить меня, я боюсь за свою жизнь.",
    "en": "He is stalking me and I fear for my life.",
}
PERSONAL = {  # a sentence carrying personal data: {x} is the datum
    "et": {
        "phone": "Palun helistage mulle numbril {x}.",
        "email": "Minu e-post on {x}.",
        "code": "Minu isikukood on {x}.",
        "iban": "Hüvitise võib kanda kontole {x}.",
    },
    "ru": {
        "phone": "Позвоните мне, пожалуйста: {x}.",
        "email": "Моя почта {x}.",
        "code": "Мой личный код {x}.",
        "iban": "Мой счёт {x}.",
    },
    "en": {
        "phone": "Please call me on {x}.",
        "email": "My e-mail is {x}.",
        "code": "My personal code is {x}.",
        "iban": "My bank account is {x}.",
    },
}
NO_ACTION = [
    "Kiitus edastatud meeskonnale; muutust pole vaja.",
    "Kaebus puudutab kohtu tööd, mitte ohvriabi; klienti teavitati.",
]
ACTIONS = [
    "Tagasihelistamise kord muudetud: helistame kahe tööpäeva jooksul.",
    "Töötajatega arutatud koosolekul; koolitus planeeritud.",
    "Infovoldik kliendi õigustest uuendatud (et/ru/en).",
    "Tõlketeenus tellitud venekeelsetele klientidele.",
]
WEIGHTS_1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 1)
WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 1, 2, 3)


def _pick(rng: random.Random, table: dict):
    return rng.choices(list(table), weights=list(table.values()))[0]


def _isikukood(rng: random.Random, valid: bool) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(60 * 365))
    first = rng.choice("34") if born.year < 2000 else rng.choice("56")
    ten = f"{first}{born:%y%m%d}{rng.randrange(1000):03d}"
    total = sum(int(d) * w for d, w in zip(ten, WEIGHTS_1, strict=True)) % 11
    if total == 10:
        total = sum(int(d) * w for d, w in zip(ten, WEIGHTS_2, strict=True)) % 11
    check = 0 if total == 10 else total
    return ten + str(check if valid else (check + rng.randint(1, 9)) % 10)


def _iban(rng: random.Random) -> str:
    bban = "".join(rng.choice(string.digits) for _ in range(16))
    numeric = "".join(str(int(c, 36)) for c in bban + "EE00")
    iban = f"EE{98 - int(numeric) % 97:02d}{bban}"
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def _personal(rng: random.Random, language: str) -> str:
    kind = rng.choice(["phone", "phone", "email", "code", "code", "iban"])
    if kind == "phone":
        number = f"5{rng.randrange(1000):03d}{rng.randrange(10000):04d}"
        x = rng.choice([f"+372 {number[:4]} {number[4:]}", f"{number[:4]} {number[4:]}", number])
    elif kind == "email":
        x = f"{rng.choice(['mari', 'olga', 'kati', 'anna', 'jaan'])}{rng.randrange(100)}@example.ee"
    elif kind == "code":
        x = _isikukood(rng, valid=rng.random() < 0.7)
    else:
        x = _iban(rng)
    return PERSONAL[language][kind].format(x=x)


def _text(rng: random.Random, satisfaction: int, language: str) -> str:
    mood = "positive" if satisfaction >= 4 else "negative" if satisfaction <= 2 else "mixed"
    text = rng.choice(TEXTS[mood][language])
    if mood != "positive" and rng.random() < 0.02:
        text += " " + DANGER[language]
    if rng.random() < WITH_PERSONAL_DATA:
        text += " " + _personal(rng, language)
    return text


def _answers(rng: random.Random, satisfaction: int) -> dict:
    good = satisfaction >= 4
    return {
        "satisfaction": satisfaction,
        "respected": rng.choices(["yes", "partly", "no"], [8, 2, 1] if good else [3, 4, 3])[0],
        "rights_info": rng.choices(["yes", "partly", "no", "not_needed"], [6, 2, 1, 1])[0],
        "knows_where": "yes" if rng.random() < (0.9 if good else 0.6) else "no",
        "safer": rng.choices(["yes", "no_change", "less_safe"], [6, 3, 1] if good else [2, 5, 2])[
            0
        ],
        "effort": max(1, min(7, round(rng.gauss(satisfaction + 1.5, 1)))),
        "recommend": max(0, min(10, round(rng.gauss(satisfaction * 2, 1.5)))),
    }


INVITATION_COLUMNS = ("token_hash", "survey_id", "episode_id", "channel", "created_at", "used_at")
ANSWER_COLUMNS = ("response_id", "question_id", "value", "choices", "text_redacted",
                  "text_encrypted", "needs_review")  # fmt: skip


def feedback(country, rng: random.Random) -> None:
    survey = Survey.objects.get(code="vs-client")
    version = survey.current_version()
    questions = {q.code: q for q in version.questions.all()}
    by_id = {q.pk: q for q in questions.values()}
    analyst = (
        Responsibility.objects.filter(role=Responsibility.Role.ANALYST)
        .order_by("pk")
        .select_related("person")
        .first()
    )
    rules = list(RoutingRule.objects.filter(active=True).select_related("unit"))
    last = country.last_day
    service = Service.objects.get(code="VS")
    units = {u.pk: u for u in OrgUnit.objects.filter(provisions__service=service)}
    episodes = (
        Episode.objects.filter(service=service, closed__isnull=False)
        .order_by("pk")
        .values_list("pk", "closed", "unit_id")
    )
    invitations, answered = [], []
    for episode_id, closed, unit_id in episodes:
        if rng.random() >= INVITED:
            continue
        channel = "sms" if rng.random() < 0.7 else "email"
        token = rng.getrandbits(128).to_bytes(16, "big").hex()
        sent = datetime.combine(closed + timedelta(days=1), time(10), tzinfo=UTC)
        day = closed + timedelta(days=rng.randint(1, 14))
        used = rng.random() < ANSWERED and day <= last
        invitations.append(
            (
                hashlib.sha256(token.encode()).hexdigest(),
                survey.pk,
                episode_id,
                channel,
                sent,
                datetime.combine(day, time(12), tzinfo=UTC) if used else None,
            )
        )
        if used:
            answered.append((closed, units.get(unit_id), channel, day))
    insert(Invitation, INVITATION_COLUMNS, invitations)

    made = []
    for closed, unit, channel, day in answered:
        satisfaction = _pick(rng, SATISFACTION)
        language = _pick(rng, LANGUAGE)
        values = _answers(rng, satisfaction)
        if rng.random() < WITH_TEXT:
            values["comment"] = _text(rng, satisfaction, language)
        response = Response(
            survey_version=version,
            service=service,
            unit=unit,
            period=period_for(closed),
            channel=channel,
            language=language,
            submitted_on=day,
        )
        made.append((response, values, day))
    Response.objects.bulk_create([r for r, _v, _d in made], batch_size=1000)

    rows, items, owners = [], [], {}
    stamp = int(datetime.combine(last, time(12), tzinfo=UTC).timestamp())
    for response, values, day in made:
        answers = []
        for code, value in values.items():
            question = questions[code]
            answer = Answer(response=response, question=question)
            if question.type == "text":
                iv = rng.getrandbits(128).to_bytes(16, "big")
                answer.text_encrypted = crypto.encrypt(value, iv=iv, at=stamp)
                answer.text_redacted = redact(value).text
            elif question.scale:
                answer.value = value
            else:
                answer.choices = [value]
            answers.append(answer)
            rows.append(
                (response.pk, question.pk, answer.value, answer.choices, answer.text_redacted,
                 answer.text_encrypted, False)
            )  # fmt: skip
        item = loop.item_for_response(response, answers, by_id, day, rules, owners)
        if item is not None:
            item.notified = item.urgent  # the demo sends no e-mail
            items.append(item)
    insert(Answer, ANSWER_COLUMNS, rows)
    _work_on(country, rng, items, analyst.person if analyst else None)


def _work_on(country, rng: random.Random, items: list[FeedbackItem], analyst) -> None:
    """Owners act on the items older than six weeks; the rest are new, triaged or late.
    The analyst checks the themes of about one item in eight, and quotes those texts."""
    last = country.last_day
    partners = list(Partner.objects.order_by("pk")[:5])
    actions, corrections = [], []
    for item in items:
        if (last - item.received_on).days > 42:
            roll = rng.random()
            if roll < 0.2:
                item.no_action_reason = rng.choice(NO_ACTION)
            else:
                if roll < 0.3 and partners:
                    item.forwarded_to = rng.choice(partners)
                    item.forward_note = "Edastatud partnerile teadmiseks ja tegutsemiseks."
                done = item.received_on + timedelta(days=rng.randint(1, 40))
                actions.append(
                    Action(
                        item=item,
                        description=rng.choice(ACTIONS),
                        planned_on=done - timedelta(days=rng.randint(0, 7)),
                        done_on=done,
                        by=item.routed_to,
                    )
                )
            item.status = FeedbackItem.Status.CLOSED
            item.closed_on = item.received_on + timedelta(days=rng.randint(5, 42))
        else:
            item.status = rng.choice(["new", "triaged", "in_progress"])
        if analyst is not None and rng.random() < 0.12:
            corrected = set(item.coded_themes)
            if corrected and rng.random() < 0.3:
                corrected.discard(rng.choice(sorted(corrected)))
            if rng.random() < 0.3:
                corrected.add(rng.choice(["information", "staff_attitude", "waiting_time"]))
            corrections.append(
                ThemeCorrection(
                    item=item,
                    coded=item.coded_themes,
                    corrected=sorted(corrected),
                    by=analyst,
                    on=min(last, item.received_on + timedelta(days=3)),
                )
            )
            item.themes, item.themes_checked = sorted(corrected), True
            # the texts the analyst read closely are the ones quoted in the UX report
            item.quoted = bool(item.text) and not item.needs_review
    FeedbackItem.objects.bulk_create(items, batch_size=1000)
    for row in actions + corrections:
        row.item_id = row.item.pk
    Action.objects.bulk_create(actions, batch_size=1000)
    ThemeCorrection.objects.bulk_create(corrections, batch_size=1000)
    closed = [i for i in items if i.status == "closed" and "waiting_time" in i.themes][:5]
    if closed:
        entry = YouSaidWeDid.objects.create(
            service=closed[0].service,
            you_said_et="Pidite liiga kaua ootama, et keegi teile tagasi helistaks.",
            you_said_en="You had to wait too long for someone to call you back.",
            you_said_ru="Вам приходилось слишком долго ждать обратного звонка.",
            we_did_et="Helistame nüüd igale kliendile tagasi kahe tööpäeva jooksul.",
            we_did_en="We now call every client back within two working days.",
            we_did_ru="Теперь мы перезваниваем каждому клиенту в течение двух рабочих дней.",
            published_on=max(i.closed_on for i in closed),
        )
        entry.items.set(closed)

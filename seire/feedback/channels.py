"""How a survey reaches respondents: public links, one-time invitations, QR codes, texts.

An invitation token is 128 random bits (22 URL-safe characters, short enough for a text
message); only its SHA-256 is stored, so the database cannot re-create a link. Messages
are deliberately neutral: they never name a crime or victim support, because someone else
may read the respondent's phone or mailbox.
"""

import hashlib
import secrets

import segno
from django.conf import settings
from django.urls import reverse

from seire.collection.models import Episode
from seire.feedback.models import Invitation, Survey
from seire.organisation.models import OrgUnit


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_invitation(episode: Episode, survey: Survey, channel: str) -> tuple[Invitation, str]:
    """A new invitation for a closed episode of the survey's service, and its token.

    The token is returned only here: send it, never store it. Raises ValueError for an open
    episode, an episode of another service, or an episode already invited.
    """
    if episode.closed is None:
        raise ValueError(f"episode {episode.source_id} is not closed")
    if episode.service_id != survey.service_id:
        raise ValueError(f"episode {episode.source_id} is not of the service of {survey.code}")
    if Invitation.objects.filter(episode=episode).exists():
        raise ValueError(f"episode {episode.source_id} has been invited already")
    token = secrets.token_urlsafe(16)
    invitation = Invitation.objects.create(
        token_hash=token_hash(token), survey=survey, episode=episode, channel=channel
    )
    return invitation, token


def find_invitation(token: str) -> Invitation | None:
    """The invitation of `token`, or None for a token never issued."""
    return (
        Invitation.objects.select_related("survey", "episode")
        .filter(token_hash=token_hash(token))
        .first()
    )


def absolute(path: str) -> str:
    return f"{settings.SEIRE_BASE_URL}{path}"


def survey_path(survey: Survey, unit: OrgUnit | None = None) -> str:
    if unit is None:
        return reverse("feedback:survey", args=[survey.code])
    return reverse("feedback:unit_survey", args=[survey.code, unit.code])


def invitation_link(token: str) -> str:
    return absolute(reverse("feedback:invitation", args=[token]))


def qr_svg(url: str) -> str:
    """An inline SVG QR code of `url` (error correction M, black on white, quiet zone)."""
    code = segno.make(url, error="m", micro=False)
    return code.svg_inline(scale=8, border=4, dark="#000", light="#fff", omitsize=True)


SMS = {
    "et": "Täname, et meie poole pöördusite. Palun andke tagasisidet: see on anonüümne ja võtab "
    "2 minutit. {link}",
    "en": "Thank you for contacting us. Please tell us how it went: it is anonymous and takes "
    "2 minutes. {link}",
    "ru": "Спасибо, что обратились к нам. Пожалуйста, оставьте отзыв: это анонимно и займёт "
    "2 минуты. {link}",
}
EMAIL_SUBJECT = {"et": "Teie tagasiside", "en": "Your feedback", "ru": "Ваш отзыв"}
EMAIL = {
    "et": "Tere!\n\nTäname, et meie poole pöördusite. Soovime teada, kuidas saime teid aidata ja "
    "mida peaksime paremini tegema.\n\nVastamine on anonüümne ja võtab umbes 2 minutit:\n{link}\n\n"
    "{once}Me ei salvesta, kes vastas.\n",
    "en": "Hello,\n\nThank you for contacting us. We would like to know how we helped you and "
    "what we should do better.\n\nAnswering is anonymous and takes about 2 minutes:\n{link}\n\n"
    "{once}We do not record who answered.\n",
    "ru": "Здравствуйте!\n\nСпасибо, что обратились к нам. Мы хотим знать, как мы смогли вам "
    "помочь и что нам следует делать лучше.\n\nОтвет анонимный и займёт около 2 минут:\n{link}\n\n"
    "{once}Мы не сохраняем, кто ответил.\n",
}
ONCE = {
    "et": "Link töötab ühe korra. ",
    "en": "The link works once. ",
    "ru": "Ссылка действует один раз. ",
}


def message(link: str, language: str, channel: str, once: bool = False) -> dict[str, str]:
    """The text of a message carrying `link`: {"body": …} for "sms", with "subject" for
    "email"; `once` for an invitation's one-time link. Raises KeyError for another language
    or channel."""
    if channel == "sms":
        return {"body": SMS[language].format(link=link)}
    if channel == "email":
        body = EMAIL[language].format(link=link, once=ONCE[language] if once else "")
        return {"subject": EMAIL_SUBJECT[language], "body": body}
    raise KeyError(channel)

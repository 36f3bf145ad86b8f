"""The public feedback form: a field per question, the contact field and a honeypot.

The answers are checked by `answers.check_answers`, the same rules as the JSON endpoint;
the form only maps field names (`q_<code>`) to question codes and lays the questions out
for the template (`items`).
"""

from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext as _

from seire.feedback.answers import CONTACT, Checked, check_answers
from seire.feedback.models import Question

HONEYPOT = "website"


class RawField(forms.Field):
    """A field that passes its value on unchecked (the survey's rules check it)."""

    def __init__(self, *, many: bool = False):
        widget = forms.CheckboxSelectMultiple if many else forms.TextInput
        super().__init__(required=False, widget=widget)


@dataclass
class Choice:
    value: str
    label: str
    id: str
    checked: bool


@dataclass
class Item:
    """What the template needs to lay out one question."""

    question: Question
    name: str
    id: str
    text: str
    help: str
    error: str = ""
    value: str = ""  # free text as typed
    choices: list[Choice] = field(default_factory=list)
    condition: str = ""  # for respondents without JavaScript: when to answer
    ends: list[Choice] = field(default_factory=list)  # the labelled points of a scale
    show_if_name: str = ""
    show_if_values: str = ""
    contact_value: str = ""  # the option that asks for contact details
    contact_label: str = ""

    @property
    def kind(self) -> str:
        """How the question is laid out: text, checkboxes, radios or scale (a row of numbers)."""
        if self.question.type == Question.Type.TEXT:
            return "text"
        if self.question.type == Question.Type.MULTIPLE:
            return "checkboxes"
        if self.question.scale and not all(c.label for c in self.choices):
            return "scale"
        return "radios"

    @property
    def described_by(self) -> str:
        """The ids of the texts that describe the question (for aria-describedby)."""
        parts = [
            ("condition", self.condition),
            ("hint", self.help),
            ("ends", self.ends),
            ("error", self.error),
        ]
        return " ".join(f"{self.id}-{name}" for name, present in parts if present)

    @property
    def first_id(self) -> str:
        """The id of the control an error message links to."""
        return self.choices[0].id if self.choices else self.id


class SurveyForm(forms.Form):
    website = forms.CharField(required=False, max_length=200)  # the honeypot: people leave it
    contact = forms.CharField(required=False, strip=True)

    def __init__(self, questions: list[Question], language: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.language = language
        self.checked = Checked()
        for question in questions:
            self.fields[f"q_{question.code}"] = RawField(
                many=question.type == Question.Type.MULTIPLE
            )

    @property
    def is_spam(self) -> bool:
        """True when the honeypot was filled in: a robot, whose answers are not kept."""
        return bool(self.is_bound and self.data.get(HONEYPOT, "").strip())

    def clean(self):
        data = super().clean()
        raw = {q.code: data.get(f"q_{q.code}") for q in self.questions}
        self.checked = check_answers(self.questions, raw, data.get("contact", ""))
        for code, message in self.checked.errors.items():
            self.add_error(CONTACT if code == CONTACT else f"q_{code}", message)
        return data

    # -- layout -----------------------------------------------------------------------------
    def _given(self, question: Question) -> list[str]:
        if not self.is_bound:
            return []
        name = f"q_{question.code}"
        if question.type == Question.Type.MULTIPLE:
            return self.data.getlist(name) if hasattr(self.data, "getlist") else []
        return [self.data.get(name, "")]

    def items(self) -> list[Item]:
        """The questions in order, with their choices, answers so far and errors."""
        by_code = {q.code: q for q in self.questions}
        items = []
        for question in self.questions:
            name = f"q_{question.code}"
            given = self._given(question)
            item = Item(
                question=question,
                name=name,
                id=f"id_{name}",
                text=question.text_in(self.language),
                help=question.help_in(self.language),
                error=" ".join(self.errors.get(name, [])),
                value=given[0] if given and question.type == Question.Type.TEXT else "",
            )
            item.choices = [
                Choice(code, label, f"id_{name}_{index}", code in given)
                for index, (code, label) in enumerate(question.choices_in(self.language))
            ]
            if question.contact_if:
                item.contact_value = question.contact_if
                item.contact_label = next(
                    (c.label for c in item.choices if c.value == question.contact_if), ""
                )
            if item.kind == "scale":
                item.ends = [c for c in item.choices if c.label]
            if question.show_if_question in by_code:
                item.show_if_name = f"q_{question.show_if_question}"
                item.show_if_values = " ".join(question.show_if_values)
                item.condition = self._condition(by_code[question.show_if_question], question)
            items.append(item)
        return items

    def _condition(self, earlier: Question, question: Question) -> str:
        labels = dict(earlier.choices_in(self.language))
        answers = [f"“{labels.get(v) or v}”" for v in question.show_if_values]
        return _("Answer only if you answered %(answers)s to “%(question)s”.") % {
            "answers": _(" or ").join(answers),
            "question": earlier.text_in(self.language),
        }

"""Forms of the planning screens: they only shape input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from kurator.accounts.models import User
from kurator.core.formtools import DateInput, StyledFormMixin
from kurator.planning.choices import Cadence, Direction, MentionKind, RubricFormat, Topic
from kurator.planning.content import PARSE_MODES
from kurator.planning.models import Post, Rubric
from kurator.registry.models import Page

WEEKDAYS = [
    ("", "—"),
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class PostForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Working title"), max_length=200)
    pages = forms.ModelMultipleChoiceField(
        label=_("Pages"), queryset=Page.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    planned_at = forms.DateTimeField(
        label=_("Publication time"),
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    urgent = forms.BooleanField(
        label=_("Urgent"), required=False, help_text=_("Approved within the same working day (003 § 5.6).")
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=Direction.choices,
        help_text=_("003 § 4.1. Anything else needs the administration's approval first (003 § 4.2)."),
    )
    rubric = forms.ModelChoiceField(label=_("Rubric"), queryset=Rubric.objects.none(), required=False)
    topics = forms.MultipleChoiceField(
        label=_("Topics of Appendix 2"), choices=Topic.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    partner = forms.BooleanField(label=_("Partner material"), required=False)
    borrowed_author = forms.CharField(label=_("Author of borrowed material"), max_length=200, required=False)
    borrowed_source = forms.CharField(label=_("Source of borrowed material"), max_length=500, required=False)

    def __init__(self, *args: Any, pages: Any, rubrics: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pages"].queryset = pages  # type: ignore[attr-defined]
        self.fields["rubric"].queryset = rubrics  # type: ignore[attr-defined]
        for name in ("topics", "pages"):
            self.fields[name].widget.attrs["class"] = "form-check-input"


class VariantForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Text for this page"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("Empty: the post's text."),
    )
    parse_mode = forms.ChoiceField(
        label=_("Telegram formatting"),
        choices=[("", _("Plain text")), ("HTML", "HTML"), ("MarkdownV2", "MarkdownV2")],
        required=False,
    )

    def clean_parse_mode(self) -> str:
        value = self.cleaned_data["parse_mode"]
        return value if value in PARSE_MODES else ""


class MentionForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MentionKind.choices)
    name = forms.CharField(
        label=_("Name"), max_length=200, required=False, widget=forms.TextInput(attrs={"placeholder": _("Name")})
    )
    url = forms.URLField(label=_("Link"), required=False, widget=forms.URLInput(attrs={"placeholder": _("Link")}))


MentionFormSet = forms.formset_factory(MentionForm, extra=2, max_num=30)


class DesignerRequestForm(StyledFormMixin, forms.Form):
    designer_description = forms.CharField(
        label=_("What the designer should make"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    designer = forms.ModelChoiceField(label=_("Designer"), queryset=User.objects.none(), required=False)
    designer_due_on = forms.DateField(
        label=_("Due"),
        widget=DateInput(),
        required=False,
        help_text=_("Empty: one working day before the review deadline (003 § 5.7)."),
    )

    def __init__(self, *args: Any, designers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["designer"].queryset = designers  # type: ignore[attr-defined]


class MediaForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Image or video"),
        help_text=_("JPEG, PNG, GIF or WebP up to 10 MB; MP4 or WebM up to 200 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp,video/mp4,video/webm"}
        ),
    )


class SubmitForm(forms.Form):
    pass


class ReturnForm(StyledFormMixin, forms.Form):
    """One comment on the whole post and one per variant (R-REV-3)."""

    comment = forms.CharField(label=_("On the whole post"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, variants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.variants = list(variants)
        for variant in self.variants:
            self.fields[f"variant_{variant.pk}"] = forms.CharField(
                label=_("On the text for “%(page)s”") % {"page": variant.page.name},
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                required=False,
                # The text commented on, beside the box, so the comment is written against what it says.
                help_text=Truncator(variant.effective_text).chars(400),
            )

    def comments(self) -> list[tuple[Any, str]]:
        data = self.cleaned_data
        return [(None, data.get("comment", "")), *((v, data.get(f"variant_{v.pk}", "")) for v in self.variants)]


class CommentForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 2}))


class DeletePublishedForm(StyledFormMixin, forms.Form):
    cannot_edit = forms.BooleanField(
        label=_("Editing the post cannot put this right"),
        help_text=_("003 § 5.10: if the post can be edited, edit it instead of deleting it."),
    )
    reason = forms.ChoiceField(label=_("Reason (003 § 5.10)"), choices=[])
    coordinator_agreed = forms.BooleanField(label=_("The page's coordinator agreed to the deletion"), required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from kurator.review.choices import DeletionReason

        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", "—"), *DeletionReason.choices]  # type: ignore[attr-defined]


class RubricForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    hashtag = forms.CharField(label=_("Hashtag"), max_length=100, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    format = forms.ChoiceField(label=_("Format"), choices=RubricFormat.choices)
    cadence = forms.ChoiceField(label=_("Cadence"), choices=Cadence.choices)
    weekday = forms.TypedChoiceField(
        label=_("Usual weekday"), choices=WEEKDAYS, coerce=int, empty_value=None, required=False
    )
    pages = forms.ModelMultipleChoiceField(
        label=_("Pages"), queryset=Page.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args: Any, people: Any, pages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people  # type: ignore[attr-defined]
        self.fields["pages"].queryset = pages  # type: ignore[attr-defined]
        self.fields["pages"].widget.attrs["class"] = "form-check-input"


class RubricPauseForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why the rubric pauses"), max_length=300)
    until = forms.DateField(label=_("Until"), widget=DateInput(), required=False)


class RubricReformatForm(StyledFormMixin, forms.Form):
    format = forms.ChoiceField(label=_("New format"), choices=RubricFormat.choices)
    note = forms.CharField(label=_("Why"), max_length=300)


class PostFilterForm(forms.Form):
    """The post list's filters; invalid values are simply ignored."""

    page = forms.IntegerField(required=False)
    state = forms.CharField(required=False)
    when = forms.CharField(required=False)


def post_initial(post: Post) -> dict[str, Any]:
    from django.utils import timezone

    return {
        "title": post.title,
        "text": post.text,
        "planned_at": timezone.localtime(post.planned_at),
        "urgent": post.urgent,
        "direction": post.direction,
        "rubric": post.rubric_id,
        "topics": post.topics,
        "partner": post.partner,
        "borrowed_author": post.borrowed_author,
        "borrowed_source": post.borrowed_source,
        "pages": [v.page_id for v in post.variants.all()],
    }

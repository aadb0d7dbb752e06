"""Input validation for the people screens; appointment and absence rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kurator.accounts.choices import AbsenceKind, Language, Role
from kurator.accounts.models import User
from kurator.core.formtools import DateInput, StyledFormMixin
from kurator.registry.models import Department, Library, Network, Page


class PersonForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "full_name",
            "email",
            "position",
            "phone",
            "library",
            "department",
            "employed_since",
            "language",
            "is_active",
        ]
        widgets = {"employed_since": DateInput()}

    def __init__(self, *args: Any, network: Network, libraries: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = (
            libraries if libraries is not None else Library.objects.filter(network=network)
        )
        self.fields["department"].queryset = Department.objects.filter(library__network=network).select_related(
            "library"
        )
        self.fields["employed_since"].help_text = _("A coordinator needs at least 6 months of service (003 § 5.5).")

    def _post_clean(self) -> None:
        pass


class RoleForm(StyledFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    page = forms.ModelChoiceField(label=_("Page"), queryset=Page.objects.none(), required=False)
    library = forms.ModelChoiceField(label=_("Library"), queryset=Library.objects.none(), required=False)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none(), required=False)
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(
        label=_("Until"), widget=DateInput(), required=False, help_text=_("Leave empty for an open-ended role.")
    )
    replace_current = forms.BooleanField(
        label=_("Replace the current coordinator of this page"),
        required=False,
        help_text=_("Their appointment ends the day before this one starts."),
    )

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("starts_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["page"].queryset = Page.objects.filter(network=network, archived=False)
        self.fields["library"].queryset = Library.objects.filter(network=network)
        self.fields["department"].queryset = Department.objects.filter(library__network=network).select_related(
            "library"
        )
        self.fields["page"].help_text = _("For coordinators, page administrators and owners.")
        self.fields["library"].help_text = _(
            "Leave page, library and department empty for a role in the whole network."
        )


class AbsenceForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AbsenceKind.choices)
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(label=_("To (inclusive)"), widget=DateInput())
    substitute = forms.ModelChoiceField(
        label=_("Substitute"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("The person who does the absent person's work on the pages meanwhile (003 § 5.15)."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, network: Network, person: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["substitute"].queryset = User.objects.filter(network=network, is_active=True).exclude(pk=person.pk)


class InternshipForm(StyledFormMixin, forms.Form):
    started_on = forms.DateField(label=_("Started"), widget=DateInput())
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class InternshipCompleteForm(StyledFormMixin, forms.Form):
    completed_on = forms.DateField(label=_("Completed"), widget=DateInput())
    notes = forms.CharField(label=_("Notes"), required=False)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=Language.choices)

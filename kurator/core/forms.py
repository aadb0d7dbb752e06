"""Input validation of core's screens (the writes themselves live in the *_services modules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kurator.core.choices import Country, OverrideKind
from kurator.core.models import CalendarOverride


class CalendarOverrideForm(forms.Form):
    country = forms.ChoiceField(
        label=_("Country"),
        choices=Country.choices,
        error_messages={"invalid_choice": _("Kurator knows the production calendars of Russia and Belarus only.")},
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    kind = forms.ChoiceField(label=_("Kind of day"), choices=OverrideKind.choices)
    shortened_by_minutes = forms.IntegerField(
        label=_("Shortened by, minutes"),
        min_value=1,
        max_value=720,
        initial=60,
        required=False,
        help_text=_("Only for shortened days; a pre-holiday day is usually one hour shorter."),
    )
    note = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, network_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network_id = network_id
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, minutes = data.get("kind"), data.get("shortened_by_minutes")
        if kind == OverrideKind.SHORTENED and not minutes:
            self.add_error("shortened_by_minutes", _("Say by how many minutes the day is shortened."))
        if not minutes:
            data["shortened_by_minutes"] = 60
        country, day = data.get("country"), data.get("date")
        if (
            country
            and day
            and CalendarOverride.objects.filter(network_id=self.network_id, country=country, date=day).exists()
        ):
            self.add_error("date", _("This day already has an override for this country; delete it first."))
        return data

"""Input validation for the registry screens; the rules themselves live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kurator.core.choices import Weekday
from kurator.core.formtools import StyledFormMixin, TimeInput
from kurator.registry.choices import SocialNetwork
from kurator.registry.models import Department, Library, Network, Page, PageConnection


class PageForm(StyledFormMixin, forms.ModelForm):
    departments = forms.ModelMultipleChoiceField(
        queryset=Department.objects.none(),
        required=False,
        label=_("Departments that run the page"),
        help_text=_("A department has at most one page per social network; choose several for a joint page."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Page
        fields = [
            "name",
            "social_network",
            "url",
            "library",
            "departments",
            "approval_weekday",
            "verified",
            "publishing_mode",
            "is_main",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = Library.objects.filter(network=network)
        self.fields["departments"].queryset = Department.objects.filter(library__network=network).select_related(
            "library"
        )
        if self.instance.pk:
            self.fields["departments"].initial = list(self.instance.departments.all())

    def _post_clean(self) -> None:
        # Model validation happens in the service, with the registry rules; skip ModelForm's own.
        pass


class LibraryForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Library
        fields = [
            "name",
            "short_name",
            "is_central",
            "address",
            "latitude",
            "longitude",
            "phone",
            "email",
            "time_zone",
            "country",
            "head",
        ]

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kurator.accounts.models import User

        self.fields["head"].queryset = User.objects.filter(network=network, is_active=True)

    def _post_clean(self) -> None:
        pass


def token_hint(token: str) -> str:
    """Enough of a token to recognise it, never enough to use it."""
    return f"…{token[-4:]}" if len(token) > 8 else "…"


class ConnectionForm(StyledFormMixin, forms.ModelForm):
    """The tokens are write-only: the form never shows a stored token back, and an empty field keeps it."""

    class Meta:
        model = PageConnection
        fields = ["endpoint", "target", "token", "community_token", "vk_postponed"]
        # new-password: browsers must neither fill in a saved password nor offer to remember the token.
        widgets = {
            "target": forms.TextInput(),
            "token": forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
            "community_token": forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        }

    def __init__(self, *args: Any, page: Page, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if page.social_network != SocialNetwork.VK:
            del self.fields["community_token"]
            del self.fields["vk_postponed"]
        self.fields["token"].required = not self.instance.pk
        for name in ("token", "community_token"):
            stored = getattr(self.instance, name)
            if name in self.fields and stored:
                keep = _("Leave empty to keep the stored token (%(hint)s).") % {"hint": token_hint(stored)}
                self.fields[name].help_text = f"{self.fields[name].help_text} {keep}"

    def _post_clean(self) -> None:
        pass


class DepartmentForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "address", "latitude", "longitude", "phone", "email", "head"]

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kurator.accounts.models import User

        self.fields["head"].queryset = User.objects.filter(network=network, is_active=True)

    def _post_clean(self) -> None:
        pass


class HoursForm(StyledFormMixin, forms.Form):
    """Seven rows of opening hours; an empty row is a closed day."""

    def __init__(self, *args: Any, initial_hours: dict[int, tuple[Any, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        initial_hours = initial_hours or {}
        for day in Weekday:
            opens, closes = initial_hours.get(day.value, (None, None))
            self.fields[f"opens_{day.value}"] = forms.TimeField(
                label=day.label, required=False, initial=opens, widget=TimeInput()
            )
            self.fields[f"closes_{day.value}"] = forms.TimeField(
                label=day.label, required=False, initial=closes, widget=TimeInput()
            )

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(str(day.label), self[f"opens_{day.value}"], self[f"closes_{day.value}"]) for day in Weekday]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for day in Weekday:
            opens, closes = data.get(f"opens_{day.value}"), data.get(f"closes_{day.value}")
            if (opens is None) != (closes is None):
                self.add_error(
                    f"closes_{day.value}", _("Give both the opening and the closing time, or leave both empty.")
                )
            elif opens is not None and opens >= closes:
                self.add_error(f"closes_{day.value}", _("The closing time must be after the opening time."))
        return data

    def hours(self) -> dict[int, tuple[Any, Any] | None]:
        result: dict[int, tuple[Any, Any] | None] = {}
        for day in Weekday:
            opens, closes = self.cleaned_data.get(f"opens_{day.value}"), self.cleaned_data.get(f"closes_{day.value}")
            result[day.value] = (opens, closes) if opens and closes else None
        return result

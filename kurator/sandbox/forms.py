"""Forms of the sandbox pages: acting as a reader, injecting a fault."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kurator.core.formtools import StyledFormMixin
from kurator.sandbox.choices import FaultKind, Network
from kurator.sandbox.models import Reader

TG_REACTIONS = ["👍", "❤", "🔥", "👏", "😁", "🤔", "😢"]


class ReaderActionForm(forms.Form):
    """One reader action on a wall or channel: the buttons name the action, the post comes hidden."""

    ACTIONS = [
        ("comment", _("Comment")),
        ("complain_comment", _("Complain in a comment")),
        ("like", _("Like")),
        ("react", _("React")),
        ("message", _("Write a message")),
        ("complain_message", _("Complain in a message")),
    ]

    reader = forms.ModelChoiceField(label=_("Reader"), queryset=Reader.objects.order_by("name"), empty_label=None)
    action = forms.ChoiceField(choices=ACTIONS)
    post = forms.IntegerField(required=False, min_value=1)
    text = forms.CharField(label=_("Text"), required=False, max_length=4096, widget=forms.Textarea(attrs={"rows": 2}))
    emoji = forms.ChoiceField(required=False, choices=[(e, e) for e in TG_REACTIONS])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action in ("comment", "message") and not (data.get("text") or "").strip():
            self.add_error("text", _("Write what the reader says."))
        if action in ("comment", "complain_comment", "like", "react") and not data.get("post"):
            self.add_error("post", _("Choose a post."))
        if action == "react" and not data.get("emoji"):
            self.add_error("emoji", _("Choose a reaction."))
        return data


class FaultForm(StyledFormMixin, forms.Form):
    network = forms.ChoiceField(label=_("Social network"), choices=Network.choices)
    kind = forms.ChoiceField(label=_("Fault"), choices=FaultKind.choices)
    token = forms.CharField(label=_("Token"), required=False, max_length=200, help_text=_("Empty: every token."))
    place = forms.CharField(
        label=_("Community or chat"),
        required=False,
        max_length=40,
        help_text=_("VK: the owner id, e.g. -220000001. Telegram: the chat id. Empty: everywhere."),
    )
    method = forms.CharField(
        label=_("Method"),
        required=False,
        max_length=60,
        help_text=_("e.g. wall.post or sendMessage. Empty: every method."),
    )
    count = forms.IntegerField(
        label=_("Requests"),
        required=False,
        min_value=1,
        help_text=_("How many requests it hits. Empty: until cleared."),
    )
    latency_ms = forms.IntegerField(label=_("Latency, ms"), required=False, min_value=0, max_value=120_000)
    retry_after = forms.IntegerField(label=_("Retry after, s"), required=False, min_value=1, max_value=3600)
    status = forms.IntegerField(
        label=_("HTTP status"), required=False, min_value=500, max_value=599, help_text=_("For a server error.")
    )

    def __init__(self, *args: Any, whole_sandbox: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not whole_sandbox:
            # Anyone but the operator breaks only their own library network's part of the sandbox.
            self.fields["token"].help_text = _("Empty: every token of your library network.")
            self.fields["place"].help_text = _(
                "VK: the owner id, e.g. -220000001. Telegram: the chat id. Empty: every community and chat of "
                "your library network."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == "latency" and not data.get("latency_ms"):
            self.add_error("latency_ms", _("Say how long the delay is."))
        return data

    def fault_params(self) -> dict[str, Any]:
        """The kind-specific parameters, as faults.inject() keeps them."""
        data = self.cleaned_data
        return {key: data[key] for key in ("latency_ms", "retry_after", "status", "method") if data.get(key)}

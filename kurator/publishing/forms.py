from django import forms
from django.utils.translation import gettext_lazy as _


class ConfirmForm(forms.Form):
    url = forms.URLField(
        label=_("Link to the post on the page"),
        required=False,
        max_length=500,
        assume_scheme="https",
    )

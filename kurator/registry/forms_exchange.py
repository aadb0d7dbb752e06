"""Input of the registry import: the uploaded file, then the confirmation of the preview shown."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kurator.registry.exchange import MAX_FILE_BYTES


class RegistryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Registry file (XLSX)"),
        help_text=_(
            "A file exported from Kurator, or a table with the columns of Appendix 1 of the regulation: "
            "page, link, coordinator, approval day. At most 5 MB and 2000 rows."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "class": "form-control",
            }
        ),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB. Split the registry into several files."),
                params={"size": MAX_FILE_BYTES // 2**20},
            )
        return upload.read()


class RegistryConfirmForm(forms.Form):
    """Confirms the very plan that was shown: a stale tab or a changed registry is caught by the fingerprint."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)

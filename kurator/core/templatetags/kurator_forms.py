"""Form rendering helpers for templates we do not write ourselves (django-allauth's)."""

from django import forms, template
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def styled(field: forms.BoundField) -> SafeString:
    """The field's widget with the Bootstrap class its kind needs."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    attrs = {"class": css}
    if isinstance(widget, forms.TextInput | forms.EmailInput | forms.PasswordInput):
        widget.attrs.pop("placeholder", None)  # the label says it; a cut-off placeholder only confuses
    return field.as_widget(attrs=attrs)

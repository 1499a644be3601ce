from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Role


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

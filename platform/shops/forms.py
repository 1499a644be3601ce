"""The profile's two editors: a form for the common rates, and the whole document as YAML.

Neither form judges values: a negative rate passes the form and is refused by the cost
model (`validation.check`), whose errors come back here filed under the field they name.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml
from django import forms
from django.utils.translation import gettext_lazy as _

from quoting.profile import CostProfile, ProfileError

# Form field → profile path, label. The rates a shop changes most; the rest is in YAML.
RATE_FIELDS: tuple[tuple[str, str, Any], ...] = (
    ("laser_rate", "laser.rate_jpy_h", _("Laser rate (JPY/h)")),
    ("brake_rate", "brake.rate_jpy_h", _("Press brake rate (JPY/h)")),
    ("punch_rate", "punch.rate_jpy_h", _("Punch rate (JPY/h)")),
    ("labor_rate", "labor_jpy_h", _("Labour rate: deburring, inspection, handling (JPY/h)")),
    ("markup", "markup", _("Markup (0.2 = 20 %)")),
    ("line_minimum", "line_minimum_jpy", _("Minimum price of an order line (JPY)")),
    ("lead_base_days", "lead_time.base_days", _("Lead time: base (days)")),
    ("lead_hours_per_day", "lead_time.shop_hours_per_day", _("Lead time: shop hours per day")),
    ("lead_bend_days", "lead_time.bend_days", _("Lead time: extra days for bending")),
)
MATERIAL_PRICE = "materials.{}.price_jpy_kg"
YAML_MAX_CHARS = 200_000


def get_path(document: dict[str, Any], path: str) -> Any:
    node: Any = document
    for key in path.split("."):
        node = node[key]
    return node


def plain(value: Any) -> Any:
    """12000.0 reads as 12000 in a form."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def readable(document: dict[str, Any]) -> dict[str, Any]:
    """The document in the cost model's own field order, tables sorted by thickness.

    PostgreSQL's jsonb keeps no key order (shorter keys first): read back as stored, a
    profile would open with `name`, `laser`, `brake` and bury the materials.
    """
    try:
        return CostProfile.parse(document).model_dump(mode="json")
    except ProfileError:  # an old version the cost model has since outgrown: as stored
        return document


def dump_yaml(document: dict[str, Any]) -> str:
    # Leaf lists and tables on one line: the document stays short enough to read.
    return yaml.safe_dump(
        readable(document), allow_unicode=True, sort_keys=False, default_flow_style=None
    )


class _ProfileForm(forms.Form):
    base_version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note (why)"), max_length=300, required=False)

    def field_for(self, path: str) -> str | None:
        return None

    def add_profile_errors(self, errors: dict[str, list[str]]) -> None:
        """File each of the cost model's errors under the field it names."""
        for path, messages in errors.items():
            name = self.field_for(path)
            for message in messages:
                self.add_error(name, message if name else f"{path}: {message}")


class RatesForm(_ProfileForm):
    def __init__(self, document: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.document = readable(document)
        self.paths: dict[str, str] = {}
        for name, path, label in RATE_FIELDS:
            self._add(name, path, label)
        for material in self.document.get("materials", {}):
            self._add(
                f"price:{material}",
                MATERIAL_PRICE.format(material),
                _("%(material)s: price (JPY/kg)") % {"material": material},
            )

    def _add(self, name: str, path: str, label: Any) -> None:
        self.paths[name] = path
        # No bounds here: the cost model says what a valid rate is.
        self.fields[name] = forms.FloatField(
            label=label, initial=plain(get_path(self.document, path))
        )

    def rate_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.paths if not name.startswith("price:")]

    def material_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.paths if name.startswith("price:")]

    def field_for(self, path: str) -> str | None:
        for name, own in self.paths.items():
            if own == path:
                return name
        for name, own in self.paths.items():  # a check on the whole material, say
            if own.startswith(path + "."):
                return name
        return None

    def updated_document(self) -> dict[str, Any]:
        document = copy.deepcopy(self.document)
        for name, path in self.paths.items():
            *parents, last = path.split(".")
            node = document
            for key in parents:
                node = node[key]
            node[last] = self.cleaned_data[name]
        return document


class YamlForm(_ProfileForm):
    text = forms.CharField(
        label=_("The whole profile (YAML)"),
        max_length=YAML_MAX_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 40, "spellcheck": "false", "class": "code"}),
    )

    def field_for(self, path: str) -> str | None:
        return "text"

    def add_profile_errors(self, errors: dict[str, list[str]]) -> None:
        for path, messages in errors.items():
            for message in messages:
                self.add_error("text", f"{path}: {message}")

    def clean_text(self) -> dict[str, Any]:
        text = self.cleaned_data["text"]
        try:
            # Aliases let a few lines expand into a huge structure: a profile needs none.
            for event in yaml.parse(text, Loader=yaml.SafeLoader):
                if isinstance(event, yaml.AliasEvent):
                    raise forms.ValidationError(_("YAML aliases (*name) are not accepted."))
            document = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = _(" (line %(line)s)") % {"line": mark.line + 1} if mark else ""
            raise forms.ValidationError(
                _("Not valid YAML%(where)s: %(problem)s")
                % {"where": where, "problem": getattr(exc, "problem", None) or exc}
            ) from exc
        if not isinstance(document, dict):
            raise forms.ValidationError(_("The profile must be a mapping of fields."))
        return document


class AdoptForm(forms.Form):
    fingerprint = forms.CharField(max_length=64, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note (why)"), max_length=300, required=False)

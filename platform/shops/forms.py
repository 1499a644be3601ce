"""The profile's two editors: a form for the common rates, and the whole document as YAML;
and the forms of a shop's capability, machines, closures and shares.

Neither form judges values: a negative rate passes the form and is refused by the cost
model (`validation.check`), whose errors come back here filed under the field they name.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml
from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from quoting.profile import CostProfile, ProfileError

from .models import PROCESS_CHOICES

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


# --- Capability, machines, closures, shares ----------------------------------------------
# The forms read what a person typed; the actions judge it (shops.validation), and their
# errors come back filed under these fields.

WEEKDAY_CHOICES = [(n, WEEKDAYS[n - 1]) for n in range(1, 8)]  # ISO: 1 = Monday


class _ActionErrors:
    def add_action_errors(self, errors: dict[str, list[str]]) -> None:
        for field, messages in errors.items():
            name = field if field in self.fields else None  # type: ignore[attr-defined]
            for message in messages:
                self.add_error(name, message)  # type: ignore[attr-defined]


class CapabilityForm(_ActionErrors, forms.Form):
    processes = forms.MultipleChoiceField(
        label=_("Processes"),
        choices=PROCESS_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    materials = forms.CharField(
        label=_("Materials (separated by commas)"),
        max_length=1000,
        required=False,
        help_text=_("As the cost profile names them: SPCC, SUS304, A5052 …"),
    )
    thickness_min_mm = forms.FloatField(label=_("Thinnest sheet (mm)"))
    thickness_max_mm = forms.FloatField(label=_("Thickest sheet (mm)"))
    max_part_long_mm = forms.FloatField(label=_("Largest part: long side (mm)"))
    max_part_short_mm = forms.FloatField(label=_("Largest part: short side (mm)"))
    hours_per_shift = forms.FloatField(label=_("Hours per shift"))
    shifts_per_day = forms.IntegerField(label=_("Shifts per day"))
    weekly_days_off = forms.TypedMultipleChoiceField(
        label=_("Weekly days off"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    observes_public_holidays = forms.BooleanField(
        label=_("Closed on Japanese public holidays"), required=False
    )

    def thickness_fields(self) -> list[forms.BoundField]:
        return [self["thickness_min_mm"], self["thickness_max_mm"]]

    def part_fields(self) -> list[forms.BoundField]:
        return [self["max_part_long_mm"], self["max_part_short_mm"]]

    def time_fields(self) -> list[forms.BoundField]:
        return [self["hours_per_shift"], self["shifts_per_day"]]

    @classmethod
    def initial_from(cls, fields: Any) -> dict[str, Any]:
        values = dict(fields.__dict__)
        values["materials"] = ", ".join(values["materials"])
        return {k: plain(v) for k, v in values.items()}

    def clean_materials(self) -> list[str]:
        text = self.cleaned_data["materials"].replace("、", ",").replace("，", ",")
        return [m.strip() for m in text.split(",") if m.strip()]


class MachineForm(_ActionErrors, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    process = forms.ChoiceField(label=_("Process"), choices=PROCESS_CHOICES)
    speed_factor = forms.FloatField(
        label=_("Speed factor (1 = the shop's standard machine)"), initial=1
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def value_fields(self) -> list[forms.BoundField]:
        return [self["name"], self["process"], self["speed_factor"]]


class ClosureForm(_ActionErrors, forms.Form):
    start_date = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end_date = forms.DateField(
        label=_("Last day (inclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class SharesForm(_ActionErrors, forms.Form):
    target_share = forms.FloatField(label=_("Target share (0.25 = 25 % of the group's hours)"))
    min_share = forms.FloatField(label=_("Minimum share (never starved below)"))

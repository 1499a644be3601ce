"""Editing a profile: the cost model's own validation, versions that never change."""

from __future__ import annotations

import pytest
import yaml
from django.core.exceptions import ValidationError

from quoting.profile import CostProfile
from shops import actions
from shops.models import CostProfileVersion, ProfileSource

pytestmark = pytest.mark.django_db


def rates_post(version: CostProfileVersion, **changes):  # type: ignore[no-untyped-def]
    """The rates form as the page fills it from `version`, with `changes` typed in."""
    from shops.forms import RatesForm

    form = RatesForm(version.document, initial={"base_version": version.version})
    data = {name: form[name].initial for name in form.paths} | {
        "base_version": version.version,
        "note": "",
    }
    return data | changes


def test_a_shop_starts_from_the_default_profile(world, actors):  # type: ignore[no-untyped-def]
    first = actions.ensure_profile(world.shop, acting=actors["carol"])
    again = actions.ensure_profile(world.shop, acting=actors["carol"])
    assert first.pk == again.pk
    assert (first.version, first.source, first.is_current) == (1, ProfileSource.DEFAULT, True)
    # The default, named as version 1 of this shop's profile.
    assert first.document == CostProfile.default().model_dump(mode="json") | {"version": 1}
    # The coordinator's organisation makes parts too: it has a profile of its own.
    assert actions.ensure_profile(world.coordinator, acting=actors["dora"]).version == 1
    with pytest.raises(ValidationError):
        actions.ensure_profile(world.lead_firm, acting=actors["alice"])


def test_opening_the_page_starts_the_shops_profile(world, clients):  # type: ignore[no-untyped-def]
    page = clients["carol"].get(f"/shops/{world.shop.pk}/profile/")
    assert page.status_code == 200
    (row,) = CostProfileVersion.objects.filter(shop=world.shop)
    assert row.version == 1 and row.created_by == world.carol.user
    assert "12,000" in page.content.decode()  # the default laser rate, JPY/h


def test_a_negative_rate_is_refused_next_to_its_field_and_saves_nothing(  # type: ignore[no-untyped-def]
    world, clients, carol_profile
):
    url = f"/shops/{world.shop.pk}/profile/edit/"
    response = clients["carol"].post(url, rates_post(carol_profile, laser_rate="-5"))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["laser_rate"] == ["Must be greater than 0."]
    assert set(errors) == {"laser_rate"}
    assert 'data-field="laser_rate"' in response.content.decode()
    assert CostProfileVersion.objects.filter(shop=world.shop).count() == 1


def test_scrap_above_price_is_named_on_that_materials_price(world, clients, carol_profile):  # type: ignore[no-untyped-def]
    form_data = rates_post(carol_profile)
    spcc = "price:SPCC"
    form_data[spcc] = "30"  # below SPCC's scrap credit of 40 JPY/kg
    response = clients["carol"].post(f"/shops/{world.shop.pk}/profile/edit/", form_data)
    assert response.status_code == 422
    assert response.context["form"].errors[spcc] == [
        "The scrap credit must be below the price per kg."
    ]
    assert CostProfileVersion.objects.filter(shop=world.shop).count() == 1


def test_an_unknown_key_in_the_yaml_is_named_and_saves_nothing(world, clients, carol_profile):  # type: ignore[no-untyped-def]
    document = dict(carol_profile.document)
    document["laser"] = document["laser"] | {"rate_jpy_hour": 15000}
    response = clients["carol"].post(
        f"/shops/{world.shop.pk}/profile/yaml/",
        {"text": yaml.safe_dump(document), "base_version": 1, "note": ""},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["text"] == [
        "laser.rate_jpy_hour: Unknown field: the cost model has no such setting."
    ]
    assert CostProfileVersion.objects.filter(shop=world.shop).count() == 1


def test_broken_yaml_and_aliases_are_refused(world, clients, carol_profile):  # type: ignore[no-untyped-def]
    url = f"/shops/{world.shop.pk}/profile/yaml/"
    broken = clients["carol"].post(url, {"text": "laser: [1, 2\n", "base_version": 1})
    assert broken.status_code == 422
    assert "Not valid YAML (line" in broken.context["form"].errors["text"][0]
    alias = clients["carol"].post(url, {"text": "a: &x [1]\nb: *x\n", "base_version": 1})
    assert alias.context["form"].errors["text"] == ["YAML aliases (*name) are not accepted."]
    assert CostProfileVersion.objects.filter(shop=world.shop).count() == 1


def test_a_valid_edit_makes_version_2_and_leaves_version_1_as_it_was(  # type: ignore[no-untyped-def]
    world, clients, carol_profile
):
    before = CostProfileVersion.objects.get(pk=carol_profile.pk).document
    response = clients["carol"].post(
        f"/shops/{world.shop.pk}/profile/edit/",
        rates_post(carol_profile, laser_rate="14500", markup="0.25", note="new fiber laser"),
    )
    assert response.status_code == 302, response.context["form"].errors
    v1, v2 = CostProfileVersion.objects.filter(shop=world.shop).order_by("version")
    assert v1.document == before and not v1.is_current
    assert (v2.version, v2.source, v2.is_current, v2.note) == (
        2,
        ProfileSource.EDITED,
        True,
        "new fiber laser",
    )
    assert v2.created_by == world.carol.user
    profile = CostProfile.parse(v2.document)
    assert (profile.laser.rate_jpy_h, profile.markup) == (14500, 0.25)
    assert profile.brake == CostProfile.parse(before).brake
    page = clients["carol"].get(f"/shops/{world.shop.pk}/profile/versions/2/").content.decode()
    assert 'data-testid="changes"' in page and "Laser rate (JPY/h)" in page
    assert "12000" in page and "14500" in page


def test_the_yaml_editor_saves_the_whole_document(world, clients, carol_profile):  # type: ignore[no-untyped-def]
    page = clients["carol"].get(f"/shops/{world.shop.pk}/profile/yaml/")
    text = page.context["form"]["text"].initial
    document = yaml.safe_load(text)
    assert CostProfile.parse(document) == CostProfile.default().model_copy(update={"version": 1})
    document["punch"]["s_per_hit"] = 1.2
    response = clients["carol"].post(
        f"/shops/{world.shop.pk}/profile/yaml/",
        {"text": yaml.safe_dump(document), "base_version": 1, "note": "faster turret"},
    )
    assert response.status_code == 302
    current = CostProfileVersion.objects.get(shop=world.shop, is_current=True)
    assert current.version == 2 and current.document["punch"]["s_per_hit"] == 1.2


def test_an_edit_from_an_old_version_is_refused_not_merged(world, clients, carol_profile):  # type: ignore[no-untyped-def]
    """Two people open the form on version 1; the second save would undo the first."""
    first = rates_post(carol_profile, laser_rate="13000")
    second = rates_post(carol_profile, brake_rate="6500")
    assert clients["carol"].post(f"/shops/{world.shop.pk}/profile/edit/", first).status_code == 302
    response = clients["carol"].post(f"/shops/{world.shop.pk}/profile/edit/", second)
    assert response.status_code == 422
    assert "newer version" in str(response.context["form"].non_field_errors())
    assert CostProfileVersion.objects.filter(shop=world.shop).count() == 2


def test_a_stored_version_cannot_be_saved_again(carol_profile):  # type: ignore[no-untyped-def]
    carol_profile.note = "rewritten history"
    with pytest.raises(ValueError, match="never changed"):
        carol_profile.save()


def test_the_api_reads_and_writes_the_profile_with_errors_by_field(  # type: ignore[no-untyped-def]
    world, clients, carol_profile
):
    url = f"/api/shops/{world.shop.pk}/profile"
    got = clients["carol"].get(url).json()
    assert (got["version"], got["source"], got["shop"]) == (1, "default", world.shop.pk)
    document = got["document"]

    bad = document | {"markup": -0.1, "colour": "blue"}
    refused = clients["carol"].put(url, {"document": bad}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"] == {
        "markup": ["Must be at least 0."],
        "colour": ["Unknown field: the cost model has no such setting."],
    }
    assert CostProfileVersion.objects.filter(shop=world.shop).count() == 1

    document["laser"]["rate_jpy_h"] = 15000
    saved = clients["carol"].put(
        url, {"document": document, "base_version": 1}, content_type="application/json"
    )
    assert saved.status_code == 200
    assert (saved.json()["version"], saved.json()["document"]["laser"]["rate_jpy_h"]) == (2, 15000)
    stale = clients["carol"].put(
        url, {"document": document, "base_version": 1}, content_type="application/json"
    )
    assert stale.status_code == 409
    history = clients["carol"].get(f"{url}/versions").json()
    assert [(v["version"], v["source"], v["created_by"]) for v in history] == [
        (2, "edited", "carol@shop.example"),
        (1, "default", "carol@shop.example"),
    ]
    v1 = clients["carol"].get(f"{url}/versions/1").json()
    assert v1["document"]["laser"]["rate_jpy_h"] == 12000


def test_every_write_is_audited(world, actors, carol_profile):  # type: ignore[no-untyped-def]
    from tenancy.models import AuditLog

    document = carol_profile.document | {"markup": 0.3}
    actions.do_save_profile(world.shop, document, base_version=1, acting=actors["carol"])
    codes = list(
        AuditLog.objects.filter(organization=world.shop, action__startswith="cost_profile.")
        .order_by("id")
        .values_list("action", "changes")
    )
    assert codes == [
        ("cost_profile.default", {"version": 1, "from_version": None}),
        ("cost_profile.edited", {"version": 2, "from_version": 1}),
    ]

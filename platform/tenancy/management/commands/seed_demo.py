"""Seed a demo supplier group once (and a second group, to show that groups are apart)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tenancy.actions import add_member, create_organization
from tenancy.context import Actor
from tenancy.models import Membership, OrgKind, Role, SupplierGroup

# Modelled on the Ishikawa sheet-metal group: one coordinating shop, four member shops,
# and the lead firms that buy from them.
DEMO = {
    "slug": "hokuriku-bankin",
    "name": "北陸板金グループ",
    "organizations": [
        (
            "加賀精密板金",
            OrgKind.COORDINATOR,
            "石川県",
            [
                ("kato@kaga-seimitsu.example.jp", "加藤 誠", Role.ADMIN),
                ("mori@kaga-seimitsu.example.jp", "森 由美", Role.ESTIMATOR),
            ],
        ),
        (
            "能登レーザー工業",
            OrgKind.MEMBER_SHOP,
            "石川県",
            [
                ("carol@noto-laser.example.jp", "Carol 中村", Role.ADMIN),
                ("ueda@noto-laser.example.jp", "上田 健", Role.ESTIMATOR),
            ],
        ),
        (
            "白山ベンディング",
            OrgKind.MEMBER_SHOP,
            "石川県",
            [
                ("yamada@hakusan-bend.example.jp", "山田 翔", Role.ESTIMATOR),
            ],
        ),
        (
            "金沢溶接所",
            OrgKind.MEMBER_SHOP,
            "石川県",
            [
                ("ishida@kanazawa-weld.example.jp", "石田 亮", Role.ESTIMATOR),
            ],
        ),
        (
            "小松塗装",
            OrgKind.MEMBER_SHOP,
            "石川県",
            [
                ("fujii@komatsu-toso.example.jp", "藤井 彩", Role.ESTIMATOR),
                ("view@komatsu-toso.example.jp", "見学 太郎", Role.VIEWER),
            ],
        ),
        (
            "北陸機器製作所",
            OrgKind.LEAD_FIRM,
            "富山県",
            [
                ("alice@hokuriku-kiki.example.jp", "Alice 佐藤", Role.ADMIN),
                ("bob@hokuriku-kiki.example.jp", "Bob 鈴木", Role.ENGINEER),
                ("tanaka@hokuriku-kiki.example.jp", "田中 直子", Role.PROCUREMENT),
                ("viewer@hokuriku-kiki.example.jp", "閲覧 花子", Role.VIEWER),
            ],
        ),
        (
            "越前モーター",
            OrgKind.LEAD_FIRM,
            "福井県",
            [
                ("sakai@echizen-motor.example.jp", "坂井 大輔", Role.ENGINEER),
            ],
        ),
    ],
}

OTHER = {
    "slug": "tokai-kinzoku",
    "name": "東海金属クラスター",
    "organizations": [
        (
            "浜松プレス",
            OrgKind.COORDINATOR,
            "静岡県",
            [
                ("charlie@hamamatsu-press.example.jp", "Charlie 伊藤", Role.ADMIN),
            ],
        ),
        (
            "豊橋機工",
            OrgKind.LEAD_FIRM,
            "愛知県",
            [
                ("dave@toyohashi-kiko.example.jp", "Dave 小林", Role.ENGINEER),
            ],
        ),
    ],
}


def seed_group(spec: dict, password: str) -> tuple[SupplierGroup, bool]:  # type: ignore[type-arg]
    group, created = SupplierGroup.objects.get_or_create(
        slug=spec["slug"], defaults={"name": spec["name"]}
    )
    if not created:
        return group, False
    actor = Actor.system("seed_demo")
    for name, kind, prefecture, people in spec["organizations"]:
        org = create_organization(group, name, kind, prefecture=prefecture, acting=actor)
        for email, full_name, role in people:
            add_member(org, email, full_name, role, password, acting=actor)
    return group, True


class Command(BaseCommand):
    help = "Create the demo supplier groups and users (once); print the logins."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--password", required=True, help="password for every demo user")

    def handle(self, *args, password: str, **options):  # type: ignore[no-untyped-def]
        for spec in (DEMO, OTHER):
            group, created = seed_group(spec, password)
            self.stdout.write(f"{'created' if created else 'kept'} demo group {group.name}")
        self.stdout.write(f"\nDemo logins (password for all: {password})")
        for m in Membership.objects.select_related("user", "organization__group").order_by(
            "organization__group_id", "organization__kind", "organization_id"
        ):
            self.stdout.write(
                f"  {m.user.email:<40} {m.organization.group.name} / "
                f"{m.organization.name} / {m.role}"
            )

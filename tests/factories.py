import factory
from django.contrib.auth import get_user_model

from agencies.models import Agency, Jurisdiction, JurisdictionRole, Membership, Succession
from tasks.models import Plan, PlanItem

PASSWORD = "correct-horse-battery-9"


class JurisdictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Tỉnh Thử {n}")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    jurisdiction = factory.SubFactory(JurisdictionFactory)
    name = factory.Sequence(lambda n: f"Sở Thử nghiệm {n}")
    kind = Agency.Kind.DEPARTMENT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Membership.Role.OFFICER


class JurisdictionRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JurisdictionRole

    user = factory.SubFactory(UserFactory)
    jurisdiction = factory.SubFactory(JurisdictionFactory)
    role = JurisdictionRole.Role.REVIEWER


class SuccessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Succession


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    code = factory.Sequence(lambda n: f"plan-{n}")
    number = factory.Sequence(lambda n: f"{n}/KH-UBND")
    title = "Kế hoạch hành động về tăng trưởng xanh"
    jurisdiction = factory.SubFactory(JurisdictionFactory)
    period_start = 2023
    period_end = 2030


class PlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanItem

    plan = factory.SubFactory(PlanFactory)
    level = PlanItem.Level.ACTIVITY
    code = factory.Sequence(lambda n: f"1.1.{n + 1}")
    title = factory.Sequence(lambda n: f"Hoạt động {n}")


def build_plan(*, jurisdiction=None, themes=2, groups=2, activities=5, lead=None, supporting=(), code=None):
    """A plan with themes × groups × activities, every activity led by `lead`."""
    jurisdiction = jurisdiction or JurisdictionFactory()
    plan = PlanFactory(jurisdiction=jurisdiction, **({"code": code} if code else {}))
    items = []
    for t in range(1, themes + 1):
        theme = PlanItem.objects.create(plan=plan, level="theme", code=str(t), title=f"Chủ đề {t}")
        for g in range(1, groups + 1):
            group = PlanItem.objects.create(plan=plan, level="group", code=f"{t}.{g}", parent=theme,
                                            title=f"Nhóm nhiệm vụ {t}.{g}")
            for a in range(1, activities + 1):
                item = PlanItem.objects.create(
                    plan=plan, level="activity", code=f"{t}.{g}.{a}", parent=group,
                    title=f"Hoạt động {t}.{g}.{a}", lead_agency=lead, start_year=2023, end_year=2030,
                )
                items.append(item)
    if supporting:
        Through = PlanItem.supporting_agencies.through
        Through.objects.bulk_create([Through(planitem_id=i.pk, agency_id=a.pk) for i in items for a in supporting])
    return plan

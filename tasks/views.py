from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import ListView

from agencies.lineage import Lineage, name_with_successor
from agencies.models import Agency

from .forms import PlanFilterForm
from .models import Plan, PlanItem
from .selectors import plan_tree, responsible_resolver, undecided_splits
from .splits import decide_split


class PlanListView(ListView):
    template_name = "tasks/plan_list.html"
    context_object_name = "plans"

    def get_queryset(self):
        return Plan.objects.for_user(self.request.user).select_related("jurisdiction", "focal_agency")


def plan_detail(request, code):
    plan = get_object_or_404(Plan.objects.for_user(request.user).select_related("jurisdiction"), code=code)
    themes = list(PlanItem.objects.filter(plan=plan, level=PlanItem.Level.THEME).only("code", "title", "plan_id"))
    agencies = Agency.objects.filter(jurisdiction__in=_plan_jurisdictions(plan)).only("id", "name")
    form = PlanFilterForm(request.GET or None, plan=plan, themes=themes, agencies=agencies)
    filters = form.filters()
    year = filters.get("year") or _current_year(plan)
    tree = plan_tree(plan, responsible_year=year, **filters)
    return render(request, "tasks/plan_detail.html", {
        "plan": plan, "form": form, "tree": tree, "filtered": tree.matched_count != tree.total_count or any(v for k, v in filters.items() if k != "role"),
    })


def item_detail(request, code, pk):
    plan = get_object_or_404(Plan.objects.for_user(request.user), code=code)
    item = get_object_or_404(
        PlanItem.objects.select_related("plan", "parent", "lead_agency").prefetch_related("supporting_agencies"),
        plan=plan, pk=pk,
    )
    lineage = Lineage.load()
    resolve = responsible_resolver(lineage, items_ids=[item.pk])
    by_year = []
    ids = set()
    for year in plan.years:
        agency_id, undecided = resolve(item, year)
        by_year.append((year, agency_id, undecided))
        ids.add(agency_id)
    names = {a.pk: a for a in Agency.objects.filter(pk__in=[i for i in ids if i])}
    responsibility = [(y, names.get(a), u) for y, a, u in by_year]
    ancestors = []
    node = item.parent
    while node is not None:
        ancestors.insert(0, node)
        node = node.parent
    return render(request, "tasks/item_detail.html", {
        "plan": plan, "item": item, "ancestors": ancestors, "responsibility": responsibility,
        "lead_label": name_with_successor(item.lead_agency, lineage=lineage),
        "children": item.children.current().select_related("lead_agency"),
    })


def _current_year(plan: Plan) -> int:
    year = timezone.localdate().year
    return min(max(year, plan.period_start), plan.period_end)


def _plan_jurisdictions(plan: Plan):
    """The plan's jurisdiction and whatever it merged into: successors are filterable too."""
    ids, current = [plan.jurisdiction_id], plan.jurisdiction
    while current.merged_into_id and current.merged_into_id not in ids:
        ids.append(current.merged_into_id)
        current = current.merged_into
    return ids


@staff_member_required
def split_decisions(request, code):
    """Admins choose, item by item, which successor of a split agency takes it over."""
    plan = get_object_or_404(Plan, code=code)
    return render(request, "tasks/split_decisions.html", {"plan": plan, "rows": undecided_splits(plan)})


@staff_member_required
@require_POST
def split_decide(request, code, pk):
    plan = get_object_or_404(Plan, code=code)
    item = get_object_or_404(PlanItem, plan=plan, pk=pk)
    try:
        decide_split(item=item, predecessor_id=int(request.POST["predecessor"]),
                     successor_id=int(request.POST["successor"]), user=request.user)
        messages.success(request, _("Đã giao %(code)s cho cơ quan kế thừa đã chọn.") % {"code": item.code})
    except (KeyError, ValueError) as exc:
        messages.error(request, str(exc) or _("Thiếu lựa chọn cơ quan kế thừa."))
    return redirect("tasks:split_decisions", code=plan.code)

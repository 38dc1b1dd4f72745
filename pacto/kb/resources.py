"""The knowledge resources a reader's policies list (senhasegura §3: "We request that our
customers/partners make an acceptable effort to use the information available from our
online knowledge database ... before seeking Technical Support services": the Online Help
Center, the Community, the short videos). The portal shows them beside the search."""

from __future__ import annotations

from django.utils import timezone

from pacto.accounts.models import User
from pacto.contracts.models import Contract, PolicyVersion


def resources_for(user: User) -> list[dict]:
    """Each resource once, with the policy that lists it; for staff, every preset's."""
    if not user.is_authenticated:
        return []
    if user.is_staff_member:
        versions = PolicyVersion.objects.filter(is_preset=True)
    else:
        if user.organization_id is None:
            return []
        organizations = [user.organization_id]
        if user.organization.is_partner:
            organizations += list(user.organization.served_customers.values_list("pk", flat=True))
        today = timezone.now().date()
        ids = Contract.objects.filter(
            organization__in=organizations, starts_on__lte=today, ends_on__gte=today
        ).values_list("policy_version", flat=True)
        versions = PolicyVersion.objects.filter(pk__in=ids)
    seen, result = set(), []
    for version in versions.order_by("policy_id", "-created_at"):
        policy = version.policy
        for resource in policy.knowledge_resources:
            if resource.url in seen:
                continue
            seen.add(resource.url)
            result.append({"policy": policy.title, "resource": resource})
    return result

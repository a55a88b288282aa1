"""Django's users and groups as lapor_core principals.

Groups carry the roles, so an administrator manages them in Django's admin like any permission:

========================== =====================================================
group                      principal
========================== =====================================================
``lapor:admin``            :meth:`Principal.admin` (a superuser is one too)
``lapor:supervisor``       :meth:`Principal.supervisor` (Ombudsman, inspectorate)
``lapor:instansi:31.71``   :meth:`Principal.institution_officer` of 31.71
``lapor:unit:31.71:pu``    :meth:`Principal.unit_officer` of unit ``pu`` of 31.71
(none)                     :meth:`Principal.citizen`, not verified
========================== =====================================================

A signed-in user without a LAPOR! group is a citizen, not verified (verifying a person's identity is the
portal's business, outside this example). The principal's ID is ``django:<user's primary key>``, stable when
the username changes. The first matching row wins, in the order above.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

import lapor_core as lc

__all__ = ["principal_for"]

_PREFIX = "lapor:"


def principal_for(user: AbstractBaseUser | AnonymousUser) -> lc.Principal:
    """The principal a Django user acts as; the public for an anonymous visitor."""
    if not user.is_authenticated:
        return lc.Principal.public()
    user_id = f"django:{user.pk}"
    manager = getattr(user, "groups", None)  # a custom user model may have no groups
    groups = [] if manager is None else sorted(str(name) for name in manager.values_list("name", flat=True))
    roles = [name.removeprefix(_PREFIX).split(":") for name in groups if name.startswith(_PREFIX)]
    if getattr(user, "is_superuser", False) or ["admin"] in roles:
        return lc.Principal.admin(user_id)
    if ["supervisor"] in roles:
        return lc.Principal.supervisor(user_id)
    for role in roles:
        if len(role) == 2 and role[0] == "instansi":  # lapor:instansi:<code>
            return lc.Principal.institution_officer(user_id, institution=role[1])
    for role in roles:
        if len(role) == 3 and role[0] == "unit":  # lapor:unit:<code>:<unit>
            return lc.Principal.unit_officer(user_id, institution=role[1], unit=role[2])
    return lc.Principal.citizen(user_id)

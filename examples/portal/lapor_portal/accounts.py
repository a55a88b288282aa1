"""Who uses the portal: accounts, and how each becomes a :class:`lapor_core.Principal`.

lapor_core does not know users; it knows principals (an admin, an institution's officer, a citizen...). A
portal keeps its own user accounts (here a fixed demonstration list; in a deployment the identity provider's
users and their roles) and turns the signed-in user into a principal for every call to the desk. That one
function, :meth:`Account.principal`, is the seam a real portal replaces.
"""

from __future__ import annotations

import attrs

import lapor_core as lc

__all__ = ["DEMO_ACCOUNTS", "Account", "demo_directory"]


@attrs.frozen(kw_only=True)
class Account:
    """One user of the portal and the principal they act as.

    Attributes:
        key: Stable account ID, recorded as the principal's user ID (staff) or account ID (citizens).
        name: Display name.
        role: What they are to lapor_core.
        institution: Institution code, for institution and unit staff.
        unit: Work-unit code, for unit staff.
        verified: For citizens: identity checked by the portal.
        region: For citizens: home region code.
    """

    key: str
    name: str
    role: lc.Role
    institution: str | None = None
    unit: str | None = None
    verified: bool = False
    region: str | None = None

    @property
    def is_staff(self) -> bool:
        """True for admins, institution and unit officers and supervisors."""
        return self.role in (lc.Role.ADMIN, lc.Role.INSTITUTION, lc.Role.UNIT, lc.Role.SUPERVISOR)

    def principal(self) -> lc.Principal:
        """The principal this account acts as.

        >>> Account(key="off-1", name="Petugas", role=lc.Role.INSTITUTION, institution="31.71").principal()
        Principal(role=<Role.INSTITUTION: 'institution'>, user_id='off-1', institution='31.71', ...)
        """
        role = self.role
        if role is lc.Role.ADMIN:
            return lc.Principal.admin(self.key)
        if role is lc.Role.INSTITUTION:
            return lc.Principal.institution_officer(self.key, institution=self.institution or "")
        if role is lc.Role.UNIT:
            return lc.Principal.unit_officer(
                self.key, institution=self.institution or "", unit=self.unit or ""
            )
        if role is lc.Role.SUPERVISOR:
            return lc.Principal.supervisor(self.key)
        if role is lc.Role.CITIZEN:
            return lc.Principal.citizen(self.key, verified=self.verified, region=self.region)
        return lc.Principal.public()


DEMO_ACCOUNTS: tuple[Account, ...] = (
    Account(key="admin-demo", name="Admin LAPOR! (demo)", role=lc.Role.ADMIN),
    Account(
        key="pemkot-jakpus",
        name="Petugas Pemkot Jakarta Pusat",
        role=lc.Role.INSTITUTION,
        institution="31.71",
    ),
    Account(
        key="dinas-pu-jakpus",
        name="Petugas Dinas PU Jakarta Pusat",
        role=lc.Role.UNIT,
        institution="31.71",
        unit="dinas-pu",
    ),
    Account(
        key="pemkot-bandung", name="Petugas Pemkot Bandung", role=lc.Role.INSTITUTION, institution="32.73"
    ),
    Account(key="ombudsman-demo", name="Ombudsman RI (pengawas)", role=lc.Role.SUPERVISOR),
    Account(
        key="warga-demo",
        name="Warga terverifikasi (demo)",
        role=lc.Role.CITIZEN,
        verified=True,
        region="31.71",
    ),
)
"""The accounts the demonstration sign-in offers, one per kind of principal."""


def demo_directory() -> lc.InstitutionDirectory:
    """The default institution directory with work units for the demonstration's two city governments.

    >>> [unit.code for unit in demo_directory().units_of("31.71")]
    ['dinas-pu', 'dinkes', 'disdik']
    """
    units = {
        "31.71": (
            lc.WorkUnit("dinas-pu", "Dinas Pekerjaan Umum"),
            lc.WorkUnit("dinkes", "Dinas Kesehatan"),
            lc.WorkUnit("disdik", "Dinas Pendidikan"),
        ),
        "32.73": (
            lc.WorkUnit("dinas-pu", "Dinas Pekerjaan Umum dan Penataan Ruang"),
            lc.WorkUnit("dishub", "Dinas Perhubungan"),
        ),
    }
    directory = lc.InstitutionDirectory.default()
    for code, work_units in units.items():
        directory = directory.with_units(code, work_units)
    return directory

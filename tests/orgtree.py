"""A small, realistic organization tree for tests (fictional places and people).

东川省 ── 临江市 ── 河口县 ── 石桥镇
                 └─ 白沙县
        └─ 青山市
        └─ 东川能源集团 (a unit with its own personnel department, R-COUNTY-5)
"""

from __future__ import annotations

from dataclasses import dataclass

from xinfang.orgs.models import Cadre, Department, Jurisdiction, Level, User
from xinfang.orgs.services import cadre_create, department_create, jurisdiction_create, staff_create

ALL_ROLES = ("registrar", "handler", "leader")


@dataclass
class Tree:
    province: Jurisdiction
    linjiang: Jurisdiction
    qingshan: Jurisdiction
    hekou: Jurisdiction
    baisha: Jurisdiction
    shiqiao: Jurisdiction
    energy: Jurisdiction
    prov_org: Department
    prov_discipline: Department
    prov_petition: Department
    city_org: Department
    city_discipline: Department
    city_hr: Department
    city_court: Department
    qingshan_org: Department
    county_org: Department
    county_discipline: Department
    county_hr: Department
    baisha_org: Department
    energy_personnel: Department
    county_secretary: Cadre  # 河口县委书记: main leader, managed by 临江市
    county_bureau_chief: Cadre  # 河口县交通运输局局长: managed by 河口县
    township_secretary: Cadre  # 石桥镇党委书记: main leader, managed by 河口县
    city_secretary: Cadre  # 临江市委书记: managed by the province
    prov_staff: User  # registrar + handler + leader at the province
    city_staff: User
    county_staff: User
    baisha_staff: User
    county_hr_staff: User
    city_supervisor: User
    prov_supervisor: User
    energy_staff: User

    def staff(self, dept: Department, *roles: str, name: str = "") -> User:
        username = name or f"u{dept.pk}-{'-'.join(roles)}-{User.objects.count()}"
        return staff_create(username=username, full_name=username, department=dept, roles=roles)


def build_tree() -> Tree:
    j = jurisdiction_create
    province = j(name="东川省", level=Level.PROVINCE)
    linjiang = j(name="临江市", level=Level.PREFECTURE, parent=province)
    qingshan = j(name="青山市", level=Level.PREFECTURE, parent=province)
    hekou = j(name="河口县", level=Level.COUNTY, parent=linjiang)
    baisha = j(name="白沙县", level=Level.COUNTY, parent=linjiang)
    shiqiao = j(name="石桥镇", level=Level.TOWNSHIP, parent=hekou)
    energy = j(name="东川能源集团", level=Level.UNIT, parent=province)

    d = department_create
    prov_org = d(jurisdiction=province, kind="organization", name="东川省委组织部")
    prov_discipline = d(jurisdiction=province, kind="discipline", name="东川省纪委监委")
    prov_petition = d(jurisdiction=province, kind="petition_bureau", name="东川省信访局")
    city_org = d(jurisdiction=linjiang, kind="organization", name="临江市委组织部")
    city_discipline = d(jurisdiction=linjiang, kind="discipline", name="临江市纪委监委")
    city_hr = d(jurisdiction=linjiang, kind="human_resources", name="临江市人社局")
    city_court = d(jurisdiction=linjiang, kind="court", name="临江市中级人民法院")
    qingshan_org = d(jurisdiction=qingshan, kind="organization", name="青山市委组织部")
    county_org = d(jurisdiction=hekou, kind="organization", name="河口县委组织部")
    county_discipline = d(jurisdiction=hekou, kind="discipline", name="河口县纪委监委")
    county_hr = d(jurisdiction=hekou, kind="human_resources", name="河口县人社局")
    baisha_org = d(jurisdiction=baisha, kind="organization", name="白沙县委组织部")
    energy_personnel = d(jurisdiction=energy, kind="personnel", name="东川能源集团人力资源部")

    c = cadre_create
    county_secretary = c(
        name="周建国",
        title="县委书记",
        jurisdiction=hekou,
        managing_jurisdiction=linjiang,
        rank="division",
        is_main_leader=True,
    )
    county_bureau_chief = c(
        name="钱卫东",
        title="局长",
        unit_name="交通运输局",
        jurisdiction=hekou,
        managing_jurisdiction=hekou,
        rank="section",
    )
    township_secretary = c(
        name="孙立平",
        title="镇党委书记",
        jurisdiction=shiqiao,
        managing_jurisdiction=hekou,
        rank="section",
        is_main_leader=True,
    )
    city_secretary = c(
        name="李振华",
        title="市委书记",
        jurisdiction=linjiang,
        managing_jurisdiction=province,
        rank="bureau",
        is_main_leader=True,
    )

    def s(dept: Department, name: str, roles: tuple[str, ...] = ALL_ROLES) -> User:
        return staff_create(username=name, full_name=name, department=dept, roles=roles)

    return Tree(
        province=province,
        linjiang=linjiang,
        qingshan=qingshan,
        hekou=hekou,
        baisha=baisha,
        shiqiao=shiqiao,
        energy=energy,
        prov_org=prov_org,
        prov_discipline=prov_discipline,
        prov_petition=prov_petition,
        city_org=city_org,
        city_discipline=city_discipline,
        city_hr=city_hr,
        city_court=city_court,
        qingshan_org=qingshan_org,
        county_org=county_org,
        county_discipline=county_discipline,
        county_hr=county_hr,
        baisha_org=baisha_org,
        energy_personnel=energy_personnel,
        county_secretary=county_secretary,
        county_bureau_chief=county_bureau_chief,
        township_secretary=township_secretary,
        city_secretary=city_secretary,
        prov_staff=s(prov_org, "prov"),
        city_staff=s(city_org, "city"),
        county_staff=s(county_org, "county"),
        baisha_staff=s(baisha_org, "baisha"),
        county_hr_staff=s(county_hr, "county_hr"),
        city_supervisor=s(city_org, "city_supervisor", ("supervisor",)),
        prov_supervisor=s(prov_org, "prov_supervisor", ("supervisor",)),
        energy_staff=s(energy_personnel, "energy"),
    )

"""Placing a respondent in the org tree before anyone is protected from them (R-PROTECT-1).

Who may not see an accuser is decided from where the respondent sits: their department,
the unit they work in, and whether they are a main leader (R-ROUTE-3, R-COUNTY-5). A
respondent typed as free text, linked to nothing, would hide the accuser from no one, so
intake places every respondent before anything is written:

- a cadre picked from the directory is placed by their post;
- a name typed with a post, jurisdiction or department that matches exactly one cadre of
  the directory is linked to that cadre;
- a bare name that matches cadres must be confirmed by picking one (names repeat: linking
  the wrong person would send the case and the protection to the wrong unit);
- a respondent outside the directory is placed by the jurisdiction or department typed, and
  counts as a main leader when the directory has a main leader's post of that title there;
- anyone else is refused with the reason, and the registrar asks a leader to place them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.utils.translation import gettext

from xinfang.orgs.models import Cadre, Department, Jurisdiction, Post


@dataclass
class RespondentInput:
    cadre: Cadre | None = None
    name: str = ""
    unit: str = ""
    post_title: str = ""
    rank: str = ""
    jurisdiction: Jurisdiction | None = None
    department: Department | None = None
    managing_jurisdiction: Jurisdiction | None = None
    is_main_leader: bool = False


MAX_LISTED = 5


def _post_label(post: Post) -> str:
    return f"{post.jurisdiction.name}{post.unit_name}{post.title}"


def place_respondent(r: RespondentInput, index: int) -> tuple[RespondentInput, str]:
    """The respondent placed in the org tree, or the reason they cannot be (R-PROTECT-1)."""
    if r.cadre is not None:
        return r, ""
    name = r.name.strip()
    if not name:
        return r, (
            gettext("第%(index)s位被反映人须选择干部或填写姓名（单位）。") % {"index": index}
        )
    title = r.post_title.strip()
    cadres = Cadre.objects.filter(name=name, post__isnull=False)
    if title:
        cadres = cadres.filter(post__title=title)
    if r.jurisdiction is not None:
        cadres = cadres.filter(post__jurisdiction=r.jurisdiction)
    if r.department is not None:
        cadres = cadres.filter(post__department=r.department)
    found = list(cadres.select_related("post__jurisdiction").order_by("pk")[: MAX_LISTED + 1])
    told = bool(title or r.jurisdiction or r.department)
    if len(found) == 1 and told:
        return replace(r, cadre=found[0]), ""
    if len(found) == 1:
        post = found[0].post
        assert post is not None
        return r, (
            gettext(
                "第%(index)s位被反映人：干部名册中有“%(name)s”（%(post_label)s"
                "），是此人的请从干部名册中选择；不是的，请填写其职务和任职地区或单位。"
            )
            % {"index": index, "name": name, "post_label": _post_label(post)}
        )
    if found:
        count = cadres.count()
        posts = "、".join(_post_label(c.post) for c in found[:MAX_LISTED] if c.post)
        return r, (
            gettext(
                "第%(index)s位被反映人：干部名册中有%(count)s位“%(name)s"
                "”（%(posts)s），请从干部名册中选择其中一位，或填写职务、任职地区加以区"
                "分。"
            )
            % {"index": index, "count": count, "name": name, "posts": posts}
        )
    jurisdiction = r.jurisdiction or (r.department.jurisdiction if r.department else None)
    if jurisdiction is None:
        return r, (
            gettext(
                "第%(index)s位被反映人“%(name)s”无法在干部名册或组织机构中确定"
                "：请从干部名册中选择，或填写其任职地区或单位、部门。为保护信访人，须先确定被反映"
                "人所在单位；确实无法确定的，请报部领导确定后再登记。"
            )
            % {"index": index, "name": name}
        )
    # R-ROUTE-3: a main leader's post typed by hand is a main leader's post.
    main = r.is_main_leader or (
        bool(title)
        and Post.objects.filter(
            jurisdiction=jurisdiction, title=title, is_main_leader=True
        ).exists()
    )
    return replace(r, jurisdiction=jurisdiction, is_main_leader=main), ""

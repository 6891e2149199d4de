"""English mode shows English: every role's main pages, checked by tests/english_check.py.

Chinese may appear on an English page only inside an element marked
``lang="zh-Hans"`` (names of estates and people, quoted legal texts, bureau
text not yet translated), and that marking stays narrow. The same pages are
walked in a browser by tests/browser/test_english.py; this is the fast version
the SQLite suite runs. Also here: the locale formats, the list separator, the
language menu and the whitelist's English text.
"""

from __future__ import annotations

import datetime
import os

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core.text import date_text, datetime_text, join_list
from emergency.models import WhitelistItemTranslation
from emergency.services import whitelist as lists
from emergency.services.whitelist_translation import item_translation_save
from tests.english_check import english_problems
from tests.voting.conftest import ORDINARY, SPECIAL, build_register, make_assembly, open_assembly

# --------------------------------------------------------------------------- the checker


def test_checker_accepts_english_and_narrowly_marked_chinese():
    page = (
        '<html lang="en"><body><main><h1>Ballot of <span lang="zh-Hans">甲一小区</span></h1>'
        '<p>Basis: <q lang="zh-Hans">《住宅专项维修资金管理办法》第二十四条</q></p>'
        '<dl><dd lang="zh-Hans">屋面防水失效，雨水渗漏进入住户室内的。</dd></dl>'
        "<script>var s = '中文';</script><style>p::after{content:'：'}</style></main></body></html>"
    )
    assert english_problems(page) == []


@pytest.mark.parametrize(
    "page, problem",
    [
        ("<p>Unit：101</p>", "Chinese in English text"),  # full-width colon
        ("<p>Share (0.67%）</p>", "Chinese in English text"),  # full-width bracket
        ("<p>Due 2026年12月7日</p>", "Chinese in English text"),
        ("<p>roof、lift</p>", "Chinese in English text"),
        ('<input placeholder="手机号">', "Chinese in an attribute"),
        ('<button type="submit" value="提交">x</button>', "Chinese in an attribute"),
        ('<main lang="zh-Hans"><p>中文</p></main>', "marks too much"),
        ('<div lang="zh-Hans">中文</div>', "marks too much"),
        ('<span lang="zh-Hans"><p>中文</p></span>', "inside an element marked Chinese"),
        ('<dd lang="zh-Hans"><ul><li>中文</li></ul></dd>', "inside an element marked Chinese"),
        ('<span lang="zh-Hans">' + "长" * 401 + "</span>", "marks 401 characters"),
        ('<span lang="zh-Hans">甲<span lang="en">乙</span></span>', "Chinese in English text"),
    ],
)
def test_checker_refuses_unmarked_or_widely_marked_chinese(page, problem):
    problems = english_problems(f'<html lang="en"><body>{page}</body></html>')
    assert any(problem in p for p in problems), problems


def test_checker_takes_400_marked_characters_but_not_401():
    ok = '<html lang="en"><body><span lang="zh-Hans">' + "长" * 400 + "</span></body></html>"
    assert english_problems(ok) == []


# --------------------------------------------------------------------------- formats


def test_dates_follow_the_language():
    day = datetime.date(2026, 12, 7)
    moment = datetime.datetime(2026, 12, 7, 1, 30, tzinfo=datetime.UTC)  # 09:30 in Shanghai
    with translation.override("zh-hans"):
        assert date_text(day) == "2026年12月7日"
        assert datetime_text(moment) == "2026年12月7日 09:30"
    with translation.override("en"):
        assert date_text(day) == "7 December 2026"
        assert datetime_text(moment) == "7 December 2026, 09:30"
        from django.utils.formats import date_format

        assert date_format(day, "SHORT_DATE_FORMAT") == "7 Dec 2026"


def test_lists_are_joined_in_the_language():
    with translation.override("zh-hans"):
        assert join_list(["1栋", "2栋", "3栋"]) == "1栋、2栋、3栋"
    with translation.override("en"):
        assert join_list(["1", "2", "3"]) == "1, 2, 3"
        assert join_list([]) == ""
        assert join_list(["1"]) == "1"


@pytest.mark.django_db
def test_language_menu_names_each_language_in_its_own_language(client):
    for chosen in ("zh-hans", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = chosen
        body = client.get("/").content.decode()
        assert 'lang="zh-Hans"' in body and ">简体中文</button>" in body
        assert 'value="en" class="link" lang="en"' in body and ">English</button>" in body
        assert "英语" not in body


# --------------------------------------------------------------------------- whitelist text


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
def test_the_nine_default_items_are_shown_in_english(client):
    assert WhitelistItemTranslation.objects.filter(language="en").count() == 9
    body = _english(client).get(reverse("emergency:whitelist")).content.decode()
    assert "E02 Roof or outer wall leaking into homes" in body
    assert "rain leaks into residents&#x27; homes" in body
    assert "屋面、外墙渗漏进户" not in body
    assert english_problems(body) == []
    chinese = client.get(reverse("emergency:whitelist"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = client.get(reverse("emergency:whitelist")).content.decode()
    assert "屋面、外墙渗漏进户" in chinese


@pytest.mark.django_db
def test_a_reworded_item_shows_its_chinese_marked_until_translated_again(
    client, personas, login_with_totp, verified
):
    verified(personas.admin)
    item = lists.current_version().items.get(code="E06")
    spec = {**item.as_dict(), "name": "窨井盖缺失或破损"}
    lists.whitelist_item_save(
        actor=personas.admin, note="改名", item=spec, replaces="E06", based_on=item.version.number
    )
    body = _english(client).get(reverse("emergency:whitelist")).content.decode()
    assert '<span lang="zh-Hans">窨井盖缺失或破损</span>' in body
    assert "Manhole cover missing, broken or sunken" not in body  # the old wording's English
    assert english_problems(body) == []
    # The bureau admin brings the translation up to date on its page.
    login_with_totp(client, personas.admin)
    url = reverse("emergency:whitelist_item_english", args=["E06"])
    page = client.get(url).content.decode()
    assert "earlier Chinese wording" in page
    response = client.post(url, {"name": "Manhole cover missing or broken", "description": "x"})
    assert response.status_code == 302
    body = client.get(reverse("emergency:whitelist")).content.decode()
    assert "E06 Manhole cover missing or broken" in body


@pytest.mark.django_db
def test_only_the_bureau_admin_edits_a_translation(client, personas, login_with_totp):
    url = reverse("emergency:whitelist_item_english", args=["E01"])
    for user in (personas.reviewer, personas.approver, personas.committee):
        login_with_totp(client, user)
        assert client.post(url, {"name": "Hacked"}).status_code == 403
    assert WhitelistItemTranslation.objects.get(code="E01").name == "Lift out of service or unsafe"
    from core.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        item_translation_save(actor=personas.reviewer, code="E01", language="en", name="Hacked")


@pytest.mark.django_db
def test_a_translation_is_refused_for_an_unknown_item_a_blank_name_or_chinese_itself(
    client, personas, login_with_totp, verified
):
    verified(personas.admin)
    from core.errors import DomainError

    for kwargs in (
        {"code": "E99", "language": "en", "name": "x"},
        {"code": "E01", "language": "zh-hans", "name": "x"},
        {"code": "E01", "language": "en", "name": "  "},
        {"code": "E01", "language": "en", "name": "x" * 101},
    ):
        with pytest.raises(DomainError):
            item_translation_save(actor=personas.admin, description="d", **kwargs)
    saved = item_translation_save(
        actor=personas.admin, code="E01", language="en", name="x" * 100, description="d"
    )
    assert saved.name == "x" * 100
    from audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="whitelist.translate").count() == 1
    login_with_totp(client, personas.admin)
    url = reverse("emergency:whitelist_item_english", args=["E01"])
    assert client.post(url, {"name": "", "description": "d"}).status_code == 400
    assert client.get(reverse("emergency:whitelist_item_english", args=["E99"])).status_code == 404


# --------------------------------------------------------------------------- every role's pages


@pytest.fixture
def walk(personas, district):
    """Area a1 with a register, an open assembly and one a committee drafted; area codes."""
    register = build_register(district.a1, [("甲", ["89.50"]), ("乙", ["100.00"])], developer=1)
    draft = make_assembly(district.a1, personas.committee, motions=(ORDINARY, SPECIAL))
    voting = open_assembly(
        make_assembly(district.a1, personas.committee, motions=(ORDINARY,)), personas.committee
    )
    return {"register": register, "draft": draft, "open": voting, "area": district.a1}


def role_pages(walk) -> dict[str, list[str]]:
    """The main pages of each role (the browser walk visits the same)."""
    a, d, area = walk["open"].pk, walk["draft"].pk, walk["area"].code
    public = ["/", "/emergency/whitelist/", "/publications/", "/verify/"]
    return {
        "owner": [
            *public,
            "/voting/mine/",
            f"/voting/{a}/ballot/",
            f"/voting/{a}/progress/",
            "/funds/mine/",
            "/estates/my-units/",
        ],
        "committee": [
            *public,
            "/voting/manage/",
            f"/voting/manage/{d}/",
            f"/voting/manage/{a}/",
            f"/voting/{a}/progress/",
            "/funds/applications/",
            f"/funds/areas/{area}/",
            "/emergency/",
        ],
        "property_staff": [
            *public,
            "/emergency/",
            "/funds/applications/",
            f"/estates/areas/{area}/",
        ],
        "community_officer": [*public, "/voting/manage/", "/emergency/", "/emergency/dashboard/"],
        "street_officer": [*public, "/voting/manage/", "/emergency/dashboard/", "/estates/"],
        "reviewer": [*public, "/funds/applications/review/", "/emergency/", "/estates/", "/audit/"],
        "approver": [*public, "/funds/applications/approve/", "/emergency/", "/revenue/"],
        "admin": [*public, "/estates/", "/estates/calendar/", "/emergency/whitelist/items/new/"],
    }


def _visit(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    [
        "owner",
        "committee",
        "property_staff",
        "community_officer",
        "street_officer",
        "reviewer",
        "approver",
        "admin",
    ],
)
def test_every_main_page_of_each_role_is_english(client, personas, walk, login_with_totp, role):
    user = walk["register"].user("甲") if role == "owner" else getattr(personas, role)
    login_with_totp(client, user)
    _english(client)
    found = {}
    for url in role_pages(walk)[role]:
        problems = english_problems(_visit(client, url))
        if problems:
            found[url] = problems[:8]
    if found and os.environ.get("ENGLISH_DUMP"):
        with open(os.environ["ENGLISH_DUMP"], "a") as dump:
            dump.write(f"== {role}\n")
            for url, problems in found.items():
                dump.write(f"{url}\n" + "".join(f"   {p}\n" for p in problems))
    assert found == {}


def test_no_user_facing_text_cites_the_rules_file():
    """Users read a legal citation ("Order 165 art. 24"), never the project's RULES.md."""
    import gettext
    from pathlib import Path

    mo = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as f:
        catalogue = gettext.GNUTranslations(f)._catalog
    cited = [k for k, v in catalogue.items() if "RULES" in str(k) or "RULES" in str(v)]
    assert cited == []
    from emergency.views.bureau import WORDS

    with translation.override("en"):
        assert "Order 165 art. 24" in str(WORDS["supplementary"].help_text)

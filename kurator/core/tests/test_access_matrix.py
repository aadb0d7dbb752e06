"""Every route × every role × an object of the person's own library, of another library of the same
network, and of another network (R-ORG-1, issue item 6).

The routes come from the URL list itself: a route that is not in RULES below fails the suite, so a new
screen cannot ship without someone deciding who may open it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kurator.accounts.models import Absence, ApiToken, Internship, RoleAssignment, User
from kurator.core.models import CalendarOverride
from kurator.core.testing.cast import PASSWORD, enable_totp

ACTORS = [
    "anonymous",
    "operator",
    "administration",
    "curator",
    "coordinator",
    "page_admin",
    "designer",
    "member",
    "head",
    "staff",
    "branch_coordinator",
]
TARGETS = ["own", "other_library", "other_network"]

# Who sees an object of the central library of "north" ("own"), and of its branch ("other_library").
SEES_CENTRAL = {"operator", "administration", "curator", "designer", "coordinator", "page_admin", "head"}
SEES_BRANCH = {"operator", "administration", "curator", "designer", "branch_coordinator", "member", "staff"}
# People lists are narrower than the registry: a designer works network-wide on pages, not on staff.
SEES_CENTRAL_PEOPLE = SEES_CENTRAL
SEES_BRANCH_PEOPLE = SEES_BRANCH - {"designer"}

ANY = {a for a in ACTORS if a != "anonymous"}
ADMINISTRATION = {"operator", "administration"}
OVERSEERS = {"operator", "administration", "curator"}


@dataclass(frozen=True)
class Rule:
    """kind: what the URL's <pk> names (None: a network-level screen); may: who may act on a visible
    object (None: whoever sees it); method: how the route is called."""

    kind: str | None = None
    may: Callable[[str, str], bool] | None = None
    method: str = "get"
    public: bool = False
    # For a route whose URL names something other than a <pk> (a sandbox community's short address):
    # makes the object and gives the URL's arguments.
    args: Callable[[], dict[str, str]] | None = None
    # The body of a POST for a route that reads one (a JSON endpoint answers 400 to an empty one).
    data: Callable[[], dict[str, str]] | None = None


def only(*actors: str) -> Callable[[str, str], bool]:
    allowed = set(actors)
    return lambda actor, target: actor in allowed


def _north_id() -> int:
    # The sandbox's objects belong to a network by a plain id; the matrix's people are north's.
    from kurator.registry.models import Network

    return Network.objects.get(slug="north").pk


def _sandbox_wall() -> dict[str, str]:
    from kurator.sandbox.demo import ensure_vk_community

    return {"screen_name": ensure_vk_community("matrix_wall", "Матрица", _north_id())[0].screen_name}


def _sandbox_channel() -> dict[str, str]:
    from kurator.sandbox.demo import ensure_bot, ensure_tg_channel

    bot = ensure_bot("matrix", "Матрица", _north_id())
    return {"username": ensure_tg_channel("matrix_channel", "Матрица", bot, _north_id())[0].username}


def heads_target(*also: str) -> Callable[[str, str], bool]:
    # The head in the cast heads the central library: they may change what is in it.
    return lambda actor, target: actor in also or (actor == "head" and target == "own")


def plans_for(actor: str, target: str) -> bool:
    """Who may plan a post on the page of the target (R-PLAN-2): overseers, and the page's own people."""
    if actor in OVERSEERS:
        return True
    return actor in {"coordinator", "page_admin"} if target == "own" else actor == "branch_coordinator"


CURATORS = {"operator", "curator"}
PLANNERS = {*OVERSEERS, "coordinator", "page_admin", "branch_coordinator"}
RUBRIC_CHANGERS = {*OVERSEERS, "member"}  # the cast's rubrics are owned by the member


RULES: dict[str, Rule] = {
    "core:home": Rule(),
    "core:health": Rule(public=True),
    "core:switch_network": Rule(method="post_network"),
    "core:notifications": Rule(),
    "core:notifications_read": Rule(method="post"),
    "core:set_language": Rule(public=True, method="post_language"),
    "core:calendar": Rule(),
    "core:calendar_delete": Rule(kind="override", may=only(*ADMINISTRATION), method="post"),
    "registry:pages": Rule(),
    "registry:page_create": Rule(may=only(*OVERSEERS)),
    "registry:page": Rule(kind="page"),
    "registry:page_edit": Rule(kind="page", may=only(*OVERSEERS)),
    # A page's token is kept by its overseers and by the page's own people (R-PUB-4), like its plan.
    "registry:page_connection": Rule(kind="page", may=plans_for),
    "registry:page_connection_remove": Rule(kind="page", may=plans_for, method="post"),
    "registry:export": Rule(),
    "registry:import": Rule(may=only(*OVERSEERS)),
    "registry:libraries": Rule(),
    "registry:library_create": Rule(may=only(*ADMINISTRATION)),
    "registry:library": Rule(kind="library"),
    "registry:library_edit": Rule(kind="library", may=heads_target(*ADMINISTRATION)),
    "registry:department_create": Rule(kind="library", may=heads_target(*ADMINISTRATION)),
    "registry:department": Rule(kind="department"),
    "registry:department_edit": Rule(kind="department", may=heads_target(*ADMINISTRATION)),
    "accounts:people": Rule(),
    "accounts:person_create": Rule(may=only(*ADMINISTRATION, "head")),
    "accounts:person": Rule(kind="person"),
    "accounts:person_edit": Rule(kind="person", may=heads_target(*ADMINISTRATION)),
    "accounts:role_assign": Rule(kind="person", may=only(*OVERSEERS, "head")),
    "accounts:role_end": Rule(kind="role", may=heads_target(*ADMINISTRATION), method="post"),
    "accounts:absence_create": Rule(kind="person", may=heads_target(*OVERSEERS)),
    "accounts:absences": Rule(),
    "accounts:absence_cancel": Rule(kind="absence", may=heads_target(*OVERSEERS), method="post"),
    "accounts:internship_create": Rule(kind="person", may=only(*OVERSEERS)),
    "accounts:internship_complete": Rule(kind="internship", may=only(*OVERSEERS)),
    "accounts:api_tokens": Rule(),
    "accounts:api_token_revoke": Rule(kind="token", method="post"),
    # One's own Telegram link: everyone may link and unlink their own, and nobody anyone else's.
    "accounts:telegram": Rule(),
    "accounts:telegram_unlink": Rule(method="post"),
    "accounts:responsibility": Rule(),
    # Everyone in a network reads its part of the sandbox and acts there as a reader (trainees, 003 § 5.5);
    # those who keep the registry break it on purpose and see its tokens. Other networks' sandbox objects
    # are "not found": kurator/sandbox/tests/test_network_scope.py.
    "sandbox:index": Rule(),
    "sandbox:vk_wall": Rule(args=_sandbox_wall),
    "sandbox:tg_channel": Rule(args=_sandbox_channel),
    "sandbox:ledger": Rule(),
    "sandbox:faults": Rule(),
    "sandbox:fault_inject": Rule(may=only(*OVERSEERS), method="post"),
    "sandbox:fault_clear": Rule(may=only(*OVERSEERS), method="post"),
    "sandbox:tokens": Rule(may=only(*OVERSEERS)),
    "planning:posts": Rule(),
    "planning:post_create": Rule(may=only(*PLANNERS)),
    "planning:post_preview_new": Rule(method="post"),
    "planning:post": Rule(kind="post"),
    "planning:post_edit": Rule(kind="post", may=plans_for),
    "planning:post_preview": Rule(kind="post", method="post"),
    "planning:post_direction_approve": Rule(kind="post", may=only(*ADMINISTRATION), method="post"),
    "planning:media_upload": Rule(kind="post", may=plans_for, method="post"),
    "planning:media_file": Rule(kind="media"),
    "planning:media_delete": Rule(kind="media", may=plans_for, method="post"),
    "planning:post_submit": Rule(kind="post", may=plans_for, method="post"),
    "planning:post_delete_published": Rule(kind="post", may=only(*CURATORS)),
    "planning:review_queue": Rule(may=only(*CURATORS)),
    "planning:submission_approve": Rule(kind="submission", may=only(*CURATORS), method="post"),
    "planning:submission_return": Rule(kind="submission", may=only(*CURATORS)),
    "planning:comment_add": Rule(kind="submission", may=plans_for, method="post"),
    "planning:rubrics": Rule(),
    "planning:rubric_create": Rule(may=only(*OVERSEERS)),
    "planning:rubric_pause": Rule(kind="rubric", may=only(*RUBRIC_CHANGERS)),
    "planning:rubric_resume": Rule(kind="rubric", may=only(*RUBRIC_CHANGERS), method="post"),
    "planning:rubric_reformat": Rule(kind="rubric", may=only(*RUBRIC_CHANGERS)),
    # The calendar (R-PLAN-2..4): everyone sees the plan of what they may see; moving a post is planning it.
    "planning:calendar": Rule(),
    "planning:calendar_feed": Rule(),
    "planning:calendar_move": Rule(
        kind="post", may=plans_for, method="post", data=lambda: {"start": "2030-03-04T10:00"}
    ),
    # Memorable dates (R-PLAN-5): the network's overseers import them; whoever plans a page makes a draft.
    "planning:dates": Rule(),
    "planning:dates_import": Rule(may=only(*OVERSEERS)),
    "planning:date_draft": Rule(kind="memorable_date", may=only(*PLANNERS), method="post"),
    # Publishing (R-PUB-2, R-PUB-8): whoever sees a page sees its publications; its own people and the
    # overseers settle an unconfirmed or hand-published post.
    "publishing:board": Rule(),
    "publishing:publication": Rule(kind="publication"),
    "publishing:confirm": Rule(kind="publication", may=plans_for, method="post"),
    "publishing:send_now": Rule(kind="publication", may=plans_for, method="post"),
    "publishing:connection_check": Rule(kind="page", may=plans_for, method="post"),
}

# Routes that belong to the libraries we use and are checked by their own tests (login, 2FA, admin, i18n).
FOREIGN_PREFIXES = ("accounts/", "admin/", "i18n/", "api/v1/")
# The sandbox's network APIs speak VK's and Telegram's own protocols and authenticate by those networks'
# tokens, exactly as the real ones do; kurator/sandbox/tests prove their token rules (errors 5, 27; 401, 403).
NETWORK_PROTOCOL_ROUTES = {
    "sandbox:vk_method",
    "sandbox:vk_upload",
    "sandbox:vk_longpoll",
    "sandbox:tg_method",
    "sandbox:tg_file",
}


def named_routes() -> list[str]:
    names: list[str] = []

    def walk(patterns: list, namespace: str = "", prefix: str = "") -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, ns, route)
            elif isinstance(p, URLPattern) and not route.startswith(FOREIGN_PREFIXES):
                names.append(f"{namespace}{p.name}")

    walk(get_resolver().url_patterns)
    return names


def test_every_route_has_an_access_rule():
    missing = [name for name in named_routes() if name not in RULES and name not in NETWORK_PROTOCOL_ROUTES]
    assert not missing, f"Routes without an access rule in RULES: {missing}"


def _objects(cast) -> dict[str, dict[str, object]]:
    north, west = cast["north"], cast["west"]

    def person_in(net, library, email):
        return User.objects.create_user(
            email=email,
            password=PASSWORD,
            full_name=email,
            network=net.network,
            library=library,
            employed_since=date(2020, 1, 1),
        )

    people = {
        "own": person_in(north, north.central, "target-own@north.test"),
        "other_library": person_in(north, north.branch, "target-branch@north.test"),
        "other_network": person_in(west, west.central, "target@west.test"),
    }
    roles = {
        key: RoleAssignment.objects.create(
            person=p,
            role="page_admin",
            scope="page",
            network=p.network,
            page=(
                north.central_page
                if key == "own"
                else north.branch_page
                if key == "other_library"
                else west.central_page
            ),
            starts_on=date(2024, 1, 1),
        )
        for key, p in people.items()
    }
    absences = {
        key: Absence.objects.create(person=p, network=p.network, starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 5))
        for key, p in people.items()
    }
    internships = {
        key: Internship.objects.create(person=p, network=p.network, started_on=date(2025, 1, 1))
        for key, p in people.items()
    }
    overrides = {
        "own": CalendarOverride.objects.create(
            network_id=north.network.pk, country="RU", date=date(2026, 12, 31), kind="non_working"
        ),
        "other_library": CalendarOverride.objects.create(
            network_id=north.network.pk, country="RU", date=date(2026, 12, 30), kind="shortened"
        ),
        "other_network": CalendarOverride.objects.create(
            network_id=west.network.pk, country="BY", date=date(2026, 12, 31), kind="non_working"
        ),
    }
    planning = _planning_objects(cast)
    return {
        **planning,
        "page": {"own": north.central_page, "other_library": north.branch_page, "other_network": west.central_page},
        "library": {"own": north.central, "other_library": north.branch, "other_network": west.central},
        "department": {
            "own": north.central_dept,
            "other_library": north.branch_dept,
            "other_network": west.central_dept,
        },
        "person": people,
        "role": roles,
        "absence": absences,
        "internship": internships,
        "override": overrides,
    }


def _planning_objects(cast) -> dict[str, dict[str, object]]:
    """A post on the central library's page ("own"), on the branch's, and in the other network, each
    submitted, with a file attached; and a rubric of each (north's owned by the member)."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from kurator.planning.models import MemorableDate, Post, PostMedia, PostVariant, Rubric
    from kurator.publishing.models import Publication
    from kurator.review.models import Submission

    north, west = cast["north"], cast["west"]
    places = {
        "own": (north, north.central_page),
        "other_library": (north, north.branch_page),
        "other_network": (west, west.central_page),
    }
    posts, submissions, media, rubrics = {}, {}, {}, {}
    now = timezone.now()
    for target, (net, page) in places.items():
        post = Post.objects.create(
            network=net.network,
            title=f"Матрица {target}",
            text="Текст",
            planned_at=now + timedelta(days=60),
            author=net["curator"],
        )
        PostVariant.objects.create(post=post, page=page)
        posts[target] = post
        submissions[target] = Submission.objects.create(
            post=post, submitted_by=net["curator"], submitted_at=now, due_by=now
        )
        media[target] = PostMedia.objects.create(
            post=post,
            kind="photo",
            file=ContentFile(b"\xff\xd8\xff\xe0", name="m.jpg"),
            original_name="m.jpg",
            content_type="image/jpeg",
            size=4,
        )
        rubrics[target] = Rubric.objects.create(
            network=net.network, name=f"Рубрика {target}", owner=north["member"] if net is north else net["member"]
        )
    dates = {
        target: MemorableDate.objects.create(network=net.network, month=5, day=day, title=f"Дата {target}")
        for day, (target, (net, _page)) in enumerate(places.items(), start=1)
    }
    publications = {
        target: Publication.objects.create(
            post=post,
            variant=post.variants.get(),
            page=post.variants.get().page,
            mode="automatic",
            due_at=post.planned_at,
            next_attempt_at=post.planned_at,
            guid=f"matrix-{target}",
        )
        for target, post in posts.items()
    }
    return {
        "post": posts,
        "submission": submissions,
        "media": media,
        "rubric": rubrics,
        "memorable_date": dates,
        "publication": publications,
    }


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the matrix's attached files never reach the real media folder


def _visible(actor: str, kind: str, target: str) -> bool:
    if target == "other_network":
        return actor == "operator"
    if kind == "network":
        return True
    if kind == "override":
        return actor != "anonymous"  # a network's calendar overrides concern everyone in it
    if kind == "rubric":
        return actor != "anonymous"  # a network's rubrics are its shared plan: everyone in it sees them
    if kind == "memorable_date":
        return actor != "anonymous"  # so is its calendar of memorable dates
    if kind in ("person", "role", "internship", "absence"):
        return actor in (SEES_CENTRAL_PEOPLE if target == "own" else SEES_BRANCH_PEOPLE)
    return actor in (SEES_CENTRAL if target == "own" else SEES_BRANCH)


def _expected(rule: Rule, actor: str, target: str, kind: str | None) -> set[int]:
    if rule.public:
        return {200, 302, 503}  # the same for everyone (health answers 503 while no worker runs)
    if actor == "anonymous":
        return {302}  # to the login page
    if kind is not None and not _visible(actor, kind, target):
        return {404}
    if rule.may is not None and not rule.may(actor, target):
        return {403}
    return {200, 302}


def _login(client: Client, user: User | None) -> None:
    client.logout()
    if user is not None:
        client.force_login(user)


@pytest.mark.parametrize("name", sorted(RULES))
def test_route_answers_each_role_as_its_rule_says(name, cast):
    north = cast["north"]
    actors: dict[str, User | None] = {
        "anonymous": None,
        "operator": User.objects.get(email="operator@kurator.test"),
        **{a: north[a] for a in ACTORS if a not in ("anonymous", "operator")},
    }
    for user in actors.values():
        if user is not None:
            enable_totp(user)
    rule = RULES[name]
    objects = _objects(cast) if rule.kind else {}
    client = Client()
    failures = []
    for actor, user in actors.items():
        for target in TARGETS if rule.kind else ["own"]:
            kwargs = {}
            if rule.kind == "token":
                holder = user or north["staff"]
                someone_else = north["member"] if holder == north["staff"] else north["staff"]
                token = ApiToken.objects.create(
                    person=holder if target == "own" else someone_else,
                    name="t",
                    prefix=f"p{target[:3]}",
                    digest=f"{actor}-{target}",
                )
                kwargs = {"pk": token.pk}
            elif rule.kind:
                kwargs = {"pk": objects[rule.kind][target].pk}
            elif rule.args:
                kwargs = rule.args()
            url = reverse(name, kwargs=kwargs)
            _login(client, user)
            with transaction.atomic():
                if rule.method == "get":
                    response = client.get(url)
                elif rule.method == "post_network":
                    response = client.post(url, {"network": north.network.pk})
                elif rule.method == "post_language":
                    response = client.post(url, {"language": "ru"})
                else:
                    response = client.post(url, rule.data() if rule.data else {})
                transaction.set_rollback(True)
            if rule.kind == "token":
                # Only one's own token can be revoked; anybody else's is "not found".
                expected = (
                    {302} if actor == "anonymous" else ({200, 302} if target == "own" and user is not None else {404})
                )
            else:
                expected = _expected(rule, actor, target, rule.kind)
            if response.status_code not in expected:
                failures.append(f"{actor} → {target}: {response.status_code}, expected {sorted(expected)}")
    assert not failures, f"{name}:\n" + "\n".join(failures)


# --- The JSON API: the same people, with personal tokens -------------------------------------------

API_PUBLIC = {"api:openapi-json", "api:openapi-view", "api:api-root"}


@dataclass(frozen=True)
class ApiRule:
    """path: with {pk} for the object (kind); body: builds the request body for a target; may: who may
    write (reads: whoever sees the object)."""

    path: str
    kind: str | None = None
    method: str = "get"
    may: Callable[[str, str], bool] | None = None
    body: Callable[[dict, str, str], dict] | None = None
    # An object named in the body rather than the path: out of scope, it is "no such object" (422),
    # worded exactly as for an id that does not exist, so nothing leaks either.
    in_body: bool = False
    # For an object not made by _objects (a sandbox fault): makes one and gives its id for {pk}.
    make_pk: Callable[[], int] | None = None


def _sandbox_fault() -> int:
    from kurator.sandbox import faults

    return faults.inject(network="vk", kind="server_error", network_id=_north_id()).pk


def _page_body(objects: dict, actor: str, target: str) -> dict:
    network = objects["network"][target]
    return {
        "network_id": network.pk,
        "name": f"Матрица {actor}",
        "social_network": "ok",
        "url": f"https://ok.ru/matrix_{actor}_{target}",
        "publishing_mode": "assisted",
    }


def _role_body(objects: dict, actor: str, target: str) -> dict:
    return {"person_id": objects["person"][target].pk, "role": "workgroup_member"}


def _absence_body(objects: dict, actor: str, target: str) -> dict:
    return {"person_id": objects["person"][target].pk, "starts_on": "2027-02-01", "ends_on": "2027-02-05"}


def _post_body(objects: dict, actor: str, target: str) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    return {
        "page_ids": [objects["page"][target].pk],
        "title": f"Матрица {actor}",
        "text": "Текст",
        "planned_at": (timezone.now() + timedelta(days=60)).isoformat(),
    }


API_RULES: dict[str, ApiRule] = {
    "api:networks_list": ApiRule("registry/networks"),
    "api:network_detail": ApiRule("registry/networks/{pk}", kind="network"),
    "api:libraries_list": ApiRule("registry/libraries"),
    "api:library_detail": ApiRule("registry/libraries/{pk}", kind="library"),
    "api:departments_list": ApiRule("registry/departments"),
    "api:department_detail": ApiRule("registry/departments/{pk}", kind="department"),
    "api:pages_list": ApiRule("registry/pages"),
    "api:page_create": ApiRule(
        "registry/pages", kind="network", method="post", may=only(*OVERSEERS), body=_page_body, in_body=True
    ),
    "api:page_detail": ApiRule("registry/pages/{pk}", kind="page"),
    "api:page_update": ApiRule(
        "registry/pages/{pk}",
        kind="page",
        method="patch",
        may=only(*OVERSEERS),
        body=lambda o, a, t: {"notes": f"проверка {a}"},
    ),
    "api:people_list": ApiRule("people"),
    "api:me": ApiRule("people/me"),
    "api:person_detail": ApiRule("people/{pk}", kind="person"),
    "api:roles_list": ApiRule("people/roles"),
    "api:role_assign": ApiRule(
        "people/roles", kind="person", method="post", may=only(*OVERSEERS), body=_role_body, in_body=True
    ),
    "api:role_end": ApiRule(
        "people/roles/{pk}/end", kind="role", method="post", may=heads_target(*ADMINISTRATION), body=lambda o, a, t: {}
    ),
    "api:absences_list": ApiRule("people/absences"),
    "api:absence_create": ApiRule(
        "people/absences", kind="person", method="post", may=heads_target(*OVERSEERS), body=_absence_body, in_body=True
    ),
    "api:responsible": ApiRule("people/responsible?page={pk}", kind="page"),
    "api:sandbox_faults": ApiRule("sandbox/faults"),
    "api:sandbox_fault_inject": ApiRule(
        "sandbox/faults",
        method="post",
        may=only(*OVERSEERS),
        body=lambda o, a, t: {"network": "telegram", "kind": "rate_limit", "retry_after": 3, "count": 1},
    ),
    "api:sandbox_fault_clear": ApiRule(
        "sandbox/faults/{pk}", method="delete", may=only(*OVERSEERS), make_pk=_sandbox_fault
    ),
    "api:sandbox_faults_clear_all": ApiRule("sandbox/faults", method="delete", may=only(*OVERSEERS)),
    "api:rubrics_list": ApiRule("planning/rubrics"),
    "api:posts_list": ApiRule("planning/posts"),
    "api:post_detail": ApiRule("planning/posts/{pk}", kind="post"),
    "api:post_create": ApiRule(
        "planning/posts", kind="page", method="post", may=plans_for, body=_post_body, in_body=True
    ),
    "api:post_update": ApiRule(
        "planning/posts/{pk}",
        kind="post",
        method="patch",
        may=plans_for,
        body=lambda o, a, t: {"title": f"Матрица {a}"},
    ),
    "api:post_submit": ApiRule("planning/posts/{pk}/submit", kind="post", method="post", may=plans_for),
    "api:submission_approve": ApiRule(
        "planning/submissions/{pk}/approve", kind="submission", method="post", may=only(*CURATORS)
    ),
    "api:comment_add": ApiRule(
        "planning/submissions/{pk}/comments",
        kind="submission",
        method="post",
        may=plans_for,
        body=lambda o, a, t: {"text": f"Вопрос от {a}"},
    ),
    "api:submission_return": ApiRule(
        "planning/submissions/{pk}/return",
        kind="submission",
        method="post",
        may=only(*CURATORS),
        body=lambda o, a, t: {"comment": "Уточните дату"},
    ),
}


def api_route_names() -> list[str]:
    names: list[str] = []

    def walk(patterns: list, namespace: str = "") -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif namespace == "api:":
                names.append(f"api:{p.name}")

    walk(get_resolver().url_patterns)
    return names


def test_every_api_route_has_an_access_rule():
    missing = [name for name in api_route_names() if name not in API_RULES and name not in API_PUBLIC]
    assert not missing, f"API routes without an access rule in API_RULES: {missing}"


def test_the_api_schema_and_docs_are_open_to_everyone(client, db):
    for name in ("openapi-json", "openapi-view"):
        assert client.get(reverse(f"api:{name}")).status_code == 200


@pytest.mark.parametrize("name", sorted(API_RULES))
def test_api_route_answers_each_role_as_its_rule_says(name, cast):
    from kurator.accounts.tokens import api_token_create

    north, west = cast["north"], cast["west"]
    actors: dict[str, User | None] = {
        "anonymous": None,
        "operator": User.objects.get(email="operator@kurator.test"),
        **{a: north[a] for a in ACTORS if a not in ("anonymous", "operator")},
    }
    tokens = {}
    for actor, user in actors.items():
        if user is not None:
            enable_totp(user)
            tokens[actor] = api_token_create(person=user, name="matrix")[1]
    rule = API_RULES[name]
    objects = _objects(cast) if rule.kind else {}
    if rule.kind:
        objects["network"] = {"own": north.network, "other_library": north.network, "other_network": west.network}
    client = Client()
    failures = []
    for actor in actors:
        for target in TARGETS if rule.kind else ["own"]:
            pk = objects[rule.kind][target].pk if rule.kind else (rule.make_pk() if rule.make_pk else "")
            path = "/api/v1/" + rule.path.format(pk=pk)
            headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[actor]}"} if actor in tokens else {}
            body = rule.body(objects, actor, target) if rule.body else None
            with transaction.atomic():
                if rule.method == "get":
                    response = client.get(path, **headers)
                else:
                    response = getattr(client, rule.method)(path, data=body, content_type="application/json", **headers)
                transaction.set_rollback(True)
            if actor == "anonymous":
                expected = {401}
            elif rule.kind and not _visible(actor, "person" if rule.kind in ("person", "role") else rule.kind, target):
                expected = {422} if rule.in_body else {404}
            elif rule.may is not None and not rule.may(actor, target):
                expected = {403}
            else:
                expected = {200, 201}
            if response.status_code not in expected:
                failures.append(
                    f"{actor} → {target}: {response.status_code} {response.content[:120]!r}, expected {sorted(expected)}"
                )
    assert not failures, f"{name}:\n" + "\n".join(failures)

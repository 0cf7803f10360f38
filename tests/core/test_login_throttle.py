"""Logins are throttled (design.md, Security): after five failures for one account from one
address, that pair is locked out, with a page in Chinese."""

from __future__ import annotations

from django.test import Client

from tests.orgtree import Tree


def test_five_failures_lock_the_account_from_that_address(tree: Tree) -> None:
    user = tree.county_staff
    user.is_staff = True
    user.set_password("correct-horse-battery")
    user.save(update_fields=["is_staff", "password"])
    client = Client(REMOTE_ADDR="10.0.0.5")
    for _ in range(4):
        response = client.post("/admin/login/", {"username": "county", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    locked = client.post("/admin/login/", {"username": "county", "password": "wrong"})
    assert locked.status_code == 429
    assert "登录已暂停" in locked.content.decode()
    # Even the right password waits now.
    again = client.post(
        "/admin/login/", {"username": "county", "password": "correct-horse-battery"}
    )
    assert again.status_code == 429
    # Another address is not locked out by this one.
    elsewhere = Client(REMOTE_ADDR="10.0.0.6")
    ok = elsewhere.post(
        "/admin/login/", {"username": "county", "password": "correct-horse-battery"}
    )
    assert ok.status_code == 302


def _accounts(tree: Tree, n: int) -> list[str]:
    """n staff accounts in one department (a prefecture office behind one NAT address)."""
    from xinfang.orgs.models import User

    names = []
    for i in range(n):
        user = User.objects.create_user(
            username=f"clerk{i:02d}", password="correct-horse-battery", is_staff=True
        )
        names.append(user.username)
    return names


def test_password_spraying_from_one_address_is_locked_across_accounts(
    tree: Tree, settings: object
) -> None:
    # Twenty failures from one address in the cool-off window, whatever the accounts.
    assert settings.XINFANG_LOGIN_ADDRESS_FAILURE_LIMIT == 20  # type: ignore[attr-defined]
    names = _accounts(tree, 12)
    sprayer = Client(REMOTE_ADDR="10.0.0.7")
    statuses = []
    for guess in ("123456", "password1"):
        for name in names:
            response = sprayer.post("/admin/login/", {"username": name, "password": guess})
            statuses.append(response.status_code)
    # Failures 1-19 are answered with the form; the 20th locks; later ones stay locked.
    assert statuses[:19] == [200] * 19
    assert statuses[19:] == [429] * 5
    # No account had more than two guesses, so the per-account rule never fired:
    # only the per-address rule stops this.
    locked = sprayer.post(
        "/admin/login/", {"username": names[0], "password": "correct-horse-battery"}
    )
    assert locked.status_code == 429
    assert "登录已暂停" in locked.content.decode()
    # A colleague at another address logs in to a sprayed account.
    ok = Client(REMOTE_ADDR="10.0.0.8").post(
        "/admin/login/", {"username": names[0], "password": "correct-horse-battery"}
    )
    assert ok.status_code == 302


def test_an_office_behind_one_address_survives_a_few_typos(tree: Tree) -> None:
    # Nineteen mistyped passwords across the office in the window: everyone still logs in.
    names = _accounts(tree, 19)
    office = Client(REMOTE_ADDR="10.0.0.9")
    for name in names:
        assert (
            office.post("/admin/login/", {"username": name, "password": "typo"}).status_code == 200
        )
    ok = office.post("/admin/login/", {"username": names[0], "password": "correct-horse-battery"})
    assert ok.status_code == 302


def test_a_successful_login_does_not_clear_the_address_count(tree: Tree) -> None:
    # A sprayer with one account of their own cannot reset the count by logging in.
    names = _accounts(tree, 20)
    sprayer = Client(REMOTE_ADDR="10.0.0.10")
    for name in names[1:]:
        sprayer.post("/admin/login/", {"username": name, "password": "guess"})
    own = sprayer.post("/admin/login/", {"username": names[0], "password": "correct-horse-battery"})
    assert own.status_code == 302
    sprayer.post("/admin/logout/")
    last = sprayer.post("/admin/login/", {"username": names[1], "password": "guess2"})
    assert last.status_code == 429


def test_the_address_limit_is_counted_in_the_cool_off_window(tree: Tree) -> None:
    import datetime as dt
    from unittest import mock

    from axes.models import AccessAttempt
    from django.utils import timezone

    names = _accounts(tree, 20)
    # axes stamps each request with its own clock; hold it still so the edge is exact.
    now = timezone.now()

    def fail(address: str, name: str) -> int:
        with mock.patch("axes.handlers.proxy.now", return_value=now):
            client = Client(REMOTE_ADDR=address)
            response = client.post("/admin/login/", {"username": name, "password": "guess"})
        return response.status_code

    # 19 failures from each address, then aged: a minute, a microsecond less than the
    # 30-minute cool-off, and exactly the cool-off (axes drops failures that old).
    window = dt.timedelta(minutes=30)
    ages = {
        "10.0.0.11": dt.timedelta(minutes=1),
        "10.0.0.12": window - dt.timedelta(microseconds=1),
        "10.0.0.13": window,
    }
    for address, age in ages.items():
        for name in names[:19]:
            assert fail(address, name) == 200
        AccessAttempt.objects.filter(ip_address=address).update(attempt_time=now - age)
    assert fail("10.0.0.11", names[19]) == 429  # early in the window: the 20th locks
    assert fail("10.0.0.12", names[19]) == 429  # last moment of the window: still counted
    assert fail("10.0.0.13", names[19]) == 200  # after it: cooled off, only the first


def test_behind_a_proxy_the_client_address_is_the_one_the_proxy_appended(
    tree: Tree, settings: object
) -> None:
    # Every request arrives from the proxy (10.0.0.1); the proxy appends the client's address
    # to X-Forwarded-For. Without XINFANG_BEHIND_PROXY all clients would share one count.
    settings.XINFANG_BEHIND_PROXY = True  # type: ignore[attr-defined]
    names = _accounts(tree, 20)

    def via_proxy(client_ip: str, forged: str = "") -> Client:
        chain = f"{forged}, {client_ip}" if forged else client_ip
        return Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=chain)

    # The sprayer varies the entry it controls; the proxy's entry stays its real address.
    for i, name in enumerate(names):
        via_proxy("192.0.2.50", forged=f"198.51.100.{i}").post(
            "/admin/login/", {"username": name, "password": "guess"}
        )
    locked = via_proxy("192.0.2.50").post(
        "/admin/login/", {"username": names[0], "password": "correct-horse-battery"}
    )
    assert locked.status_code == 429
    # Another client behind the same proxy is not locked out.
    ok = via_proxy("192.0.2.51").post(
        "/admin/login/", {"username": names[0], "password": "correct-horse-battery"}
    )
    assert ok.status_code == 302

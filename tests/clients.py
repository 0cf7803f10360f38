"""Signed-in test clients."""

from __future__ import annotations

from django.test import Client

from xinfang.orgs.models import User


def staff_client(user: User) -> Client:
    """A client signed in as `user`, who is given admin access (is_staff) as an administrator
    does when opening an account."""
    User.objects.filter(pk=user.pk).update(is_staff=True)
    client = Client()
    client.force_login(User.objects.get(pk=user.pk))
    return client

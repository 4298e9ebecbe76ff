"""Guesses at a page's shared password (Wagtail's page privacy) are limited."""

import pytest
from django.test import Client
from wagtail.models import PageViewRestriction

from home.models import StandardPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def protected(home_page):
    page = StandardPage(title="Board papers", slug="board-papers")
    home_page.add_child(instance=page)
    page.save_revision().publish()
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="river-stones"
    )
    return page, f"/_util/authenticate_with_password/{restriction.pk}/{page.pk}/"


def guess(client, action, password, address="10.0.0.1"):
    return client.post(action, {"password": password, "return_url": "/board-papers/"}, REMOTE_ADDR=address)


def test_the_right_password_still_opens_the_page(client, protected):
    page, action = protected
    response = guess(client, action, "river-stones")
    assert response.status_code == 302 and response["Location"] == "/board-papers/"
    assert client.get("/board-papers/").status_code == 200


def test_after_ten_wrong_guesses_even_the_right_password_waits(client, protected):
    page, action = protected
    for _ in range(10):
        wrong = guess(client, action, "guess")
        assert wrong.status_code == 200 and "That password is not right" in wrong.content.decode()
    response = guess(client, action, "river-stones")
    html = response.content.decode()
    assert response.status_code == 429
    assert "Too many wrong passwords" in html
    assert (
        client.get("/board-papers/").status_code == 200
        and "Password required" in client.get("/board-papers/").content.decode()
    )
    # Someone else, from another address, is not held up.
    assert guess(Client(), action, "river-stones", address="10.0.0.2").status_code == 302


def test_guesses_at_a_document_collections_password_are_limited_too(client):
    from wagtail.models import Collection, CollectionViewRestriction

    collection = Collection.get_first_root_node()
    restriction = CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.PASSWORD, password="river-stones"
    )
    action = f"/documents/authenticate_with_password/{restriction.pk}/"
    for _ in range(10):
        assert guess(client, action, "guess").status_code == 200
    assert guess(client, action, "river-stones").status_code == 429
    assert guess(Client(), action, "river-stones", address="10.0.0.2").status_code == 302

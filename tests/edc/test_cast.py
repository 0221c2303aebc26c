"""The fixed cast builds, and each user's roles are where the conftest says."""

from __future__ import annotations


def test_cast_has_one_user_per_role_and_two_sites(cast) -> None:
    from hipectrial.edc.accounts.models import Membership

    assert [cast.site_a.code, cast.site_b.code] == ["SH01", "BJ02"]
    roles = sorted(Membership.objects.filter(site=cast.site_a).values_list("role", flat=True))
    assert roles == ["coordinator", "investigator", "monitor", "pharmacist"]
    assert list(Membership.objects.filter(user=cast.data_manager).values_list("site", flat=True)) == [None]
    assert not Membership.objects.filter(user=cast.outsider).exists()


def test_the_site_stylesheet_is_served(client) -> None:
    response = client.get("/static/edc/edc.css")
    assert response.status_code == 200
    assert b"--accent" in b"".join(response.streaming_content)

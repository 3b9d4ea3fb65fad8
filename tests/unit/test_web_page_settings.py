"""The land office page's basemap setting: only an http(s) URL with a host, whose origin the CSP names for images."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.web import content_policy
from registry.persistence.settings import Settings


def test_without_a_basemap_the_page_loads_images_from_its_own_origin_only() -> None:
    policy = content_policy(Settings(basemap_url=""))
    assert "img-src 'self' data: blob:;" in policy
    assert "connect-src 'self';" in policy


def test_a_basemap_adds_its_origin_for_images_and_nothing_else() -> None:
    settings = Settings(basemap_url="https://tiles.example.id:8443/ortho/{z}/{x}/{y}.png", basemap_kind="xyz")
    policy = content_policy(settings)
    assert "img-src 'self' data: blob: https://tiles.example.id:8443;" in policy
    assert "script-src 'self';" in policy and "connect-src 'self';" in policy


@pytest.mark.parametrize("url", ["ftp://tiles.example/{z}/{x}/{y}.png", "tiles.example/{z}/{x}/{y}.png",
                                 "https:///{z}/{x}/{y}.png", "javascript:alert(1)"])
def test_a_basemap_url_that_is_not_http_with_a_host_is_refused_naming_the_setting(url: str) -> None:
    with pytest.raises(ValidationError, match="basemap_url"):
        Settings(basemap_url=url)

"""Catalogue slugs: a unit's USCC in lower case, never anything that could leave the folder."""

from __future__ import annotations

import string

import pytest
from factories import make_uscc
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from schemas.catalogue import CatalogueEntry, UnsafeSlug, catalogue_slug

SAFE = set(string.ascii_lowercase + string.digits + "-")


def test_catalogue_slug_is_the_uscc_in_lower_case() -> None:
    assert catalogue_slug(f" {make_uscc(7)} ") == make_uscc(7).lower()


@pytest.mark.parametrize("value", ["../etc", "a/b", "", "报告", "a b", "-a", "a.pdf", "A" * 70])
def test_catalogue_slug_refuses_anything_but_letters_and_digits(value: str) -> None:
    with pytest.raises(UnsafeSlug, match="cannot be a catalogue slug"):
        catalogue_slug(value)


@given(st.text(max_size=80))
def test_an_accepted_slug_is_a_safe_file_name(value: str) -> None:
    try:
        slug = catalogue_slug(value)
    except UnsafeSlug:
        return
    assert set(slug) <= SAFE
    assert 1 <= len(slug) <= 64
    assert not slug.startswith("-")
    assert not slug.endswith("-")


def test_an_entry_refuses_an_unsafe_slug() -> None:
    with pytest.raises(ValidationError, match="slug"):
        CatalogueEntry(slug="../index", unit_name="上海测试")

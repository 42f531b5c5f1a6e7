import pytest

from summarizer.errors import BadRequest
from summarizer.options import SummaryOptions, parse_options


def test_defaults_match_the_chrome_summarizer_api():
    assert parse_options({}) == SummaryOptions("key-points", "short", "markdown", "", "", True)


@pytest.mark.parametrize("given, expected", [
    ("tl;dr", "tldr"), ("TLDR", "tldr"), ("teaser", "teaser"), ("Headline", "headline"),
    ("key-points", "key-points"),
])
def test_type_names_and_aliases(given, expected):
    assert parse_options({"type": given}).type == expected


@pytest.mark.parametrize("raw", [
    {"type": "essay"}, {"length": "huge"}, {"format": "html"}, {"cache": "maybe"},
    {"type": 3}, {"context": "x" * 5000}, {"output_language": "y" * 100}, {"bogus": 1},
])
def test_invalid_options_are_bad_requests(raw):
    with pytest.raises(BadRequest) as info:
        parse_options(raw)
    assert info.value.status == 400
    assert info.value.code in ("bad_option", "unknown_option")


def test_form_strings_are_accepted_for_booleans():
    assert parse_options({"cache": "false"}).cache is False
    assert parse_options({"cache": True}).cache is True


def test_depth_defaults_to_the_servers_choice_and_is_checked():
    assert parse_options({}).depth == "fast"
    assert parse_options({}, depth="thorough").depth == "thorough"
    assert parse_options({"depth": "Thorough"}, depth="fast").depth == "thorough"
    with pytest.raises(BadRequest):
        parse_options({"depth": "deep"})

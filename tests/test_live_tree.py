"""The live tree (data/ and docs/ as staff left them): checks that hold for any valid content.

Nothing here names a figure of a particular filing: a new year, an amendment or another
company's filings pass as long as they are consistent. The example's exact figures are asserted
on the frozen copy under tests/fixtures/example/.
"""
from __future__ import annotations

from .conftest import ROOT
from .site_checks import assert_none, data_package_problems, download_problems, figure_problems, narrative_problems


def test_every_figure_shown_equals_the_engines(live_built_site, live_site):
    assert_none(figure_problems(live_built_site, live_site), "figures that disagree with the data")


def test_downloads_hold_every_row_of_each_years_list(live_built_site, live_site):
    assert_none(download_problems(live_built_site, live_site), "downloads that disagree with the data")


def test_the_data_package_describes_every_download_and_every_smelter_has_a_page(live_built_site, live_site):
    assert_none(data_package_problems(live_built_site, live_site), "data package problems")


def test_filed_years_have_nothing_left_to_check(live_site):
    """What the deploy publishes passes `scripts/dev check` (drafts may still be in progress)."""
    assert_none(narrative_problems(ROOT, live_site), "scripts/dev check finds problems in filed years")


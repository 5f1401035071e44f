"""What a preview renders again after a save: each page's inputs, compared with the build before.

A page is made from the code, the theme and the site's settings (a change there: every page), its
year's data files and its previous year's (a year's pages), the keys of the smelters it lists
(their pages' addresses), all of data/ (the site-wide pages), or its smelter's rows across the
filings (a smelter's page). The preview (`mkdocs serve --dirty`) renders a page only when these
changed or its own Markdown was saved; the published build always renders everything.
"""
from __future__ import annotations

import hashlib

from disclosures.engine.record import analysis_cells, filed_cells
from disclosures.site.page import page_year

# Whatever every page shows or is made with: a change here renders every page again.
SHARED_DATA = ("reference", "site.yaml", "locks")
YEAR_FILES = ("filings/{year}.yaml", "smelters/{year}.csv", "rcoi/{year}.yaml")


def digest(value) -> str:
    return hashlib.blake2b(repr(value).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class Inputs:
    """The inputs of each page of one build. `data`, `code`: the stamps (engine.load.stamps) of
    data/ and of the code, theme and configuration."""

    def __init__(self, site, data: dict, code: dict, drafts: bool, smelter_digests: dict | None = None):
        self.site = site
        shared = {path: stamp for path, stamp in data.items() if path.split("/")[0] in SHARED_DATA}
        self.everything = digest((sorted(code.items()), sorted(shared.items()), drafts, tuple(site.years),
                                  tuple(sorted(site.drafts))))
        self.all_data = digest(sorted(data.items()))
        self._years = {year: digest([data.get(f.format(year=year)) for f in YEAR_FILES]) for year in site.years}
        self._listed = {}  # year -> the keys of the smelters its pages list
        for timeline, key in zip(site.keys.timelines, site.keys.keys):
            for year in timeline.by_year:
                self._listed.setdefault(year, []).append(key)
        self._smelters: dict[str, str] = {} if smelter_digests is None else smelter_digests  # kept for the same model

    def of(self, src_uri: str, smelter_key: str | None = None) -> tuple:
        """What the page `src_uri` is made from (comparable with an earlier build's)."""
        if smelter_key is not None:
            return self.everything, self._smelter(smelter_key)
        found = page_year(src_uri)
        if found is None or found[0] not in self._years:
            return self.everything, self.all_data
        year = found[0]
        previous = self.site.previous(year)
        return (self.everything, self._years[year], self._years.get(previous.year) if previous else None,
                digest(self._listed.get(year, [])))

    def _smelter(self, key: str) -> str:
        if key not in self._smelters:
            timeline = self.site.keys.timeline(key)
            self._smelters[key] = digest([] if timeline is None else [
                (year, [(filed_cells(s), analysis_cells(s), s.qualified) for s in entry.rows])
                for year, entry in sorted(timeline.by_year.items())])
        return self._smelters[key]

"""`scripts/dev check`: what a year still needs before it is filed, one line per problem.

Pure functions over the loaded model and the narrative's text; the command does the I/O.
Each problem names the file and line, and says what to do.
"""
from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from disclosures.engine.errors import Problem
from disclosures.engine.load import Site
from disclosures.engine.names import lookalike_characters, mixed_script_words
from disclosures.engine.text_gate import hidden_problem
from disclosures.engine.model import Filing
from disclosures.engine.figures import Figures, figures_of

# Words that make a number next to them a count a macro should give.
COUNTED = re.compile(r"^(facilit(y|ies)|smelters?|refiner(s|ies|y)?|suppliers?|manufacturers?|vendors?|"
                     r"workbooks?|CMRTs?|responses?|rows?)\b", re.I)
WORD_NUMBERS = {w: n for n, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve "
                                           "thirteen fourteen fifteen sixteen seventeen eighteen nineteen "
                                           "twenty".split())}
FIRST_FILING_YEAR = 2013  # the rule's first reporting year: earlier years in a text are history (1934 Act)
_NUMBER = re.compile(r"(?<![\w.,/-])(\d{1,3}(?:,\d{3})+|\d+|[A-Za-z]+)(?![\w/-]|[.,]\d)")
# The pages every year gets from the scaffold, whose text is the site's, not the filing's.
STRUCTURE_PAGES = ("index.md", "smelters.md", "changes.md")
_MARKER = re.compile(r"\bCHECK\b")


def check_markers(text: str, shown: str) -> list[Problem]:
    """Every `CHECK` the scaffold left: a field or passage not yet confirmed against the filing."""
    return [Problem(shown, "marked CHECK: confirm it against the filing, then remove the marker", line=n)
            for n, line in enumerate(text.splitlines(), 1) if _MARKER.search(line)]


def hidden_in_page(text: str, shown: str) -> list[Problem]:
    """Code points that cannot be seen, typed or pasted into a page's Markdown (the text gate's rule)."""
    return [Problem(shown, problem, line=n) for n, line in enumerate(text.splitlines(), 1)
            if (problem := hidden_problem(line, prose=True))]


def narrative_lines(text: str) -> list[tuple[int, str]]:
    """(line number, prose) of a narrative page: what staff typed, without macros, markup,
    links, front matter, code, HTML comments and quoted filed text (`> ` lines)."""
    text = re.sub(r"<!--.*?-->", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", text, flags=re.S)
    out, in_code, in_front = [], False, text.startswith("---\n")
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if in_front:
            in_front = not (n > 1 and stripped == "---")
            continue
        if stripped.startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if in_code or stripped.startswith(">"):
            continue
        line = re.sub(r"<https?://[^>]*>|https?://\S+|\]\([^)]*\)|`[^`]*`|<[^>]+>|\{[:#.][^}]*\}", " ", line)
        out.append((n, line))
    return out


def year_problems(filing: Filing, shown: str, text: str) -> list[Problem]:
    """A filing year in the text that is not this filing's: usually last year's words left in."""
    allowed = {filing.year, filing.meta.reporting_period.start.year, filing.meta.reporting_period.end.year,
               filing.meta.filed_on.year}
    problems = []
    for n, line in narrative_lines(text):
        for match in re.finditer(r"(?<!\d)(20\d\d)(?!\d)", line):
            year = int(match.group(1))
            if year >= FIRST_FILING_YEAR and year not in allowed:
                problems.append(Problem(shown, f"mentions {year}, which is not this filing's year ({filing.year}), "
                                               f"period or filing date: write {{{{ filing.year }}}} or "
                                               f"{{{{ previous.year }}}}, or quote filed text as '> '", line=n))
    return problems


def typed_figure_problems(filing: Filing, shown: str, text: str) -> list[Problem]:
    """A number typed by hand where a figure exists: it would not follow the data."""
    figures = figures_of(filing)
    values: dict[int, list[str]] = {}
    for f in fields(Figures):
        value = getattr(figures, f.name)
        if f.name != "year" and isinstance(value, int) and value >= 10:
            values.setdefault(value, []).append(f.name)
    problems = []
    for n, line in narrative_lines(text):
        for match in _NUMBER.finditer(line):
            word = match.group(1)
            value = WORD_NUMBERS.get(word.lower()) if word.isalpha() else int(word.replace(",", ""))
            if value is None:
                continue
            rest = line[match.end():]
            after = re.sub(r"^[ \u00a0]+((other|more|additional|distinct|of (these|the|our)|first[- ]tier|contract|"
                           r"conflict[- ]free|known|listed|eligible|such)\s+)*", "", rest, flags=re.I)
            noun = COUNTED.match(after)
            if noun:
                typed = (word + rest[: len(rest) - len(after)] + noun.group(0)).strip()
                problems.append(Problem(shown, f"'{typed}' is typed by hand: write the figure as a macro (e.g. "
                                               f"{{{{ figures.{_likely(values.get(value), after)} }}}}); "
                                               f"see the staff guide", line=n))
            elif value in values and not word.isalpha():
                names = " or ".join(f"{{{{ figures.{v} }}}}" for v in values[value])
                problems.append(Problem(shown, f"{word} is typed by hand and equals {names}: write the macro, "
                                               f"so the text follows the data", line=n))
    return problems


def _likely(names: list[str] | None, after: str) -> str:
    if names:
        return names[0]
    return "surveyed" if re.match(r"(suppliers?|manufacturers?|vendors?)", after, re.I) else "facilities"


def legend_problems(filing: Filing, shown: str) -> list[Problem]:
    """The filing's legend and its list must agree: every designation explained, none unused."""
    used = {s.row.status for s in filing.smelters if s.row.status}
    legend = set(filing.meta.designation_legend)
    folded = {k.casefold(): k for k in legend}
    problems = [Problem(shown, f"designation '{d}' is used in data/smelters/{filing.year}.csv but has no entry in "
                               f"designation_legend: add what the filing says it means", field="designation_legend")
                for d in sorted(used) if d.casefold() not in folded]
    used_folded = {d.casefold() for d in used}
    problems += [Problem(shown, f"legend entry '{k}' is used by no row of data/smelters/{filing.year}.csv: "
                                f"remove it, or check the list", field="designation_legend")
                 for k in sorted(legend) if k.casefold() not in used_folded]
    return problems


def _words(text: str) -> str:
    return " ".join(re.sub(r"\*\*|__|<[^>]+>", " ", text).split())


def conclusion_problems(filing: Filing, shown: str, pages: list[str]) -> list[Problem]:
    """The conclusion shown on the landing page must be the filing's own words, found in its text."""
    quote = _words(filing.meta.conclusion.quote)
    filed = [_words(b.paragraph or "") for b in filing.meta.form_sd] + [_words(p) for p in pages]
    if any(quote in text for text in filed):
        return []
    return [Problem(shown, "conclusion.quote is not found word for word in the year's report or Form SD: "
                           "copy the sentence (or part of it) exactly as filed", field="conclusion.quote")]


def survey_problems(filing: Filing, shown: str, survey_shown: str) -> list[Problem]:
    """The YAML's RCOI counts against the ingested supplier survey, and its open follow-ups."""
    survey = filing.supplier_survey
    if not survey:
        return []
    problems = []
    responded = filing.meta.rcoi.contract_manufacturers_responded
    if survey.suppliers != responded:
        problems.append(Problem(shown, f"rcoi.contract_manufacturers_responded is {responded}, but the ingested "
                                       f"survey ({survey_shown}) has {survey.suppliers} suppliers: correct one of them",
                                field="rcoi.contract_manufacturers_responded"))
    surveyed = filing.meta.rcoi.contract_manufacturers_surveyed
    if surveyed < survey.suppliers:
        problems.append(Problem(shown, f"rcoi.contract_manufacturers_surveyed is {surveyed}, fewer than the "
                                       f"{survey.suppliers} suppliers who answered ({survey_shown})",
                                field="rcoi.contract_manufacturers_surveyed"))
    for item in survey.follow_ups:
        if not item.resolved:
            problems.append(Problem(survey_shown, f"open follow-up: {item.item} (set resolved: true with a "
                                                  f"note once handled)", field="follow_ups"))
    return problems


def check_year(root: Path, site: Site, year: int) -> list[Problem]:
    """Everything `scripts/dev check` says about one year."""
    filing = site.filing(year)
    yaml_shown = f"data/filings/{year}.yaml"
    problems = check_markers((root / yaml_shown).read_text(encoding="utf-8"), yaml_shown)
    for page in sorted((root / "docs" / str(year)).glob("*.md")):
        shown = page.relative_to(root).as_posix()
        text = page.read_text(encoding="utf-8")
        problems += check_markers(text, shown) + hidden_in_page(text, shown)
        if page.name not in STRUCTURE_PAGES:
            problems += year_problems(filing, shown, text)
            problems += typed_figure_problems(filing, shown, text)
    if not filing.smelters:
        problems.append(Problem(f"data/smelters/{year}.csv", "no smelter rows yet: scripts/dev import SOURCE --year "
                                                              f"{year}, or scripts/dev ingest --year {year} INBOX", line=2))
    markers = {f.marker for f in filing.meta.footnotes}
    problems += [Problem(f"data/smelters/{year}.csv", f"footnote {s.row.footnote!r} is not in the footnotes of "
                                                      f"{yaml_shown}: add its text as filed", line=s.row.line)
                 for s in filing.smelters if s.row.footnote and s.row.footnote not in markers]
    problems += [Problem(f"data/smelters/{year}.csv", f"{s.row.smelter_name!r} mixes Latin letters with look-alikes "
                                                      f"from another script ({', '.join(words)}): retype it in Latin letters "
                                                      f"if the filing does", line=s.row.line)
                 for s in filing.smelters if (words := mixed_script_words(s.row.smelter_name))]
    problems += [Problem(f"data/smelters/{year}.csv", f"{s.row.smelter_name!r} is flagged {s.restrictions[0].label}: it "
                                                      f"reads as a restricted name once its look-alike characters are "
                                                      f"read as the letters they imitate ({', '.join(chars)}); retype "
                                                      f"the name as the filing prints it", line=s.row.line)
                 for s in filing.smelters if s.restrictions and (chars := lookalike_characters(s.row.smelter_name))]
    problems += legend_problems(filing, yaml_shown)
    problems += conclusion_problems(filing, yaml_shown, [p.read_text(encoding="utf-8") for p in
                                                         sorted((root / "docs" / str(year)).glob("*.md"))])
    problems += survey_problems(filing, yaml_shown, f"data/rcoi/{year}.yaml")
    return problems

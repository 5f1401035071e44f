"""EXHIBIT: the year's EDGAR submission documents (Form SD and the Conflict Minerals Report
exhibit) from the same data and Markdown the site renders; `scripts/dev exhibit YYYY`.

documents.py builds them from the model and the report as the site's build converted it,
edgar_html.py turns that HTML into what EDGAR accepts, rules.py checks every document against
the Filer Manual's rules (with Arelle), pdf.py prints each for counsel. Imports the engine only.
"""

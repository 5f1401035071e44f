"""The module mkdocs-macros loads (mkdocs.yml: `module_name: macros`): it only binds the site
package's macros, filters and variables. Everything else lives in disclosures/ (see README)."""
from disclosures.site.macros import define_env, on_pre_page_macros

__all__ = ["define_env", "on_pre_page_macros"]

"""This site's own macros, beside the ones every disclosure site has (the staff guide lists those).

mkdocs.yml names this module (`macros_module: macros`). Add a macro a page can call as
{{ name(...) }} with env.macro(function, "name"), a variable with env.variables["name"] = value.
Return Markup only for HTML rendered from a template; any other text is shown as plain text.
"""


def define_env(env):
    pass

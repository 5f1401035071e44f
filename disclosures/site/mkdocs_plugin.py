"""The one generator adapter: a MkDocs plugin over the generator-free core (publisher.Publisher).

Every line that knows MkDocs (or ProperDocs, its maintained 1.x fork, which runs MkDocs plugins
unchanged) is in this module; nothing else in the package imports mkdocs. Registered as the
`disclosures` plugin (pyproject.toml entry point `mkdocs.plugins`) and configured in mkdocs.yml:

    plugins:
      - search
      - disclosures:
          drafts: omit          # what `mkdocs build` publishes: filed years only (the deploy)
          drafts_in_preview: include
          macros_module: macros # the project's own macros (define_env), optional

`python -m disclosures.site.mkdocs_plugin build [--drafts] [-d DIR] [--record-to DIR]` is the
same strict build with the settings given on the command line (`scripts/dev build --drafts`, and
`scripts/dev lock`, which records what each year shows).
"""
from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import logging
import re
import sys
from pathlib import Path

from jinja2 import BytecodeCache
from markupsafe import Markup
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import Abort, MkDocsException, PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, InclusionLevel

from disclosures.engine.errors import DataError
from disclosures.site.page import Page
from disclosures.site.publisher import Publisher, PublishError, active_attachment, symlink_on_the_way, symlinks_under
from disclosures.site.render.templating import TEMPLATES, environment

log = logging.getLogger("mkdocs.plugins.disclosures")


class DisclosuresConfig(Config):
    drafts = c.Choice(("include", "omit"), default="omit")
    drafts_in_preview = c.Choice(("include", "omit"), default="include")
    macros_module = c.Optional(c.Type(str))
    record_to = c.Optional(c.Type(str))  # set by `scripts/dev lock` through main() below
    dump_markdown_to = c.Optional(c.Type(str))  # set by scripts/bench_site.py: each page's final Markdown


class DisclosuresPlugin(BasePlugin[DisclosuresConfig]):
    """Binds MkDocs' events to the Publisher. Kept across the rebuilds of `mkdocs serve` (it has
    on_startup), so the model is loaded again only when data/ changed."""

    def __init__(self):
        self.previewing = self.dirty = False
        self._nav_memo: dict = {}
        self.publisher: Publisher | None = None

    def on_startup(self, *, command, dirty):
        self.previewing = command == "serve"
        self.dirty = dirty  # `mkdocs serve --dirty` (scripts/dev serve): render again only what a save changed
        if dirty and command == "serve":  # MkDocs warns that a dirty build leaves pages stale: this plugin sees to that
            logging.getLogger("mkdocs.commands.build").addFilter(lambda record: "'dirty' build" not in record.getMessage())

    @event_priority(100)  # before other plugins read the navigation or the pages
    def on_config(self, config):
        root = Path(config.config_file_path).parent
        custom_dir = config.theme.custom_dir
        # The package's templates are a theme layer between a site's custom_dir and Material.
        config.theme.dirs.insert(1 if custom_dir else 0, str(TEMPLATES))
        links = [link for folder in (TEMPLATES, custom_dir) if folder for link in symlinks_under(Path(folder))]
        if links:
            raise PluginError(f"{links[0]} is a symbolic link in the theme: the site publishes only files that live "
                              f"in the repository; replace the link with the file itself"
                              + (f" ({len(links) - 1} more links)" if len(links) > 1 else ""))
        drafts = (self.config.drafts_in_preview if self.previewing else self.config.drafts) == "include"
        record_to = Path(self.config.record_to) if self.config.record_to else None
        try:
            if self.publisher is None or self.publisher.root != root.resolve() or self.publisher.drafts != drafts:
                self.publisher = Publisher(root, drafts=drafts, previewing=self.previewing,
                                           theme_dir=Path(custom_dir) if custom_dir else None, record_to=record_to,
                                           site_macros=_site_macros(root, self.config.macros_module))
            else:
                self.publisher.begin()
        except (PublishError, DataError) as exc:
            raise PluginError(str(exc)) from None
        if self.publisher.error:
            log.error("%s\n(the pages show this too; save a fix and they rebuild)", self.publisher.error)
        if self.previewing and self.dirty and self.publisher.rendered_before:
            config.theme.static_templates.discard("404.html")  # a preview's 404 page stays as first written
        config.nav = self.publisher.nav()
        config.extra["filing_years"] = self.publisher.year_entries()
        settings = self.publisher.settings
        if settings is not None:  # the site's name, description and footer: data/site.yaml
            config.site_name, config.site_description = settings.title, settings.description
            config.copyright = settings.footer_text
            if settings.site_url:
                config.site_url = settings.site_url.rstrip("/") + "/"
        self.publisher.site_url = config.site_url or ""
        return config

    def on_serve(self, server, config, builder):
        """Rebuild when the package's code or templates change, too; in `scripts/dev serve`, a
        save updates the open page in place (templates/cm/live-update.js) instead of reloading it."""
        server.watch(str(Path(__file__).resolve().parent.parent))
        if self.dirty and hasattr(server, "_inject_js_into_html"):  # else: MkDocs' own reload script
            server._inject_js_into_html = _live_update_script
        if self.dirty:
            _poll_sooner(getattr(server, "observer", None))
        return server

    def on_files(self, files, config):
        publisher = self.publisher
        docs = Path(config.docs_dir)
        for file in list(files):
            root = Path(file.abs_src_path[: -len(file.src_uri)]) if file.abs_src_path else None
            if root is not None and (link := symlink_on_the_way(root, file.src_uri)):
                raise PluginError(f"{link} is a symbolic link: the site publishes only files that live in the "
                                  f"repository; replace the link with the file itself")
            if root is not None and root.resolve() == TEMPLATES.resolve() and not file.src_uri.startswith("assets/"):
                files.remove(file)  # the package's fragments (cm/feed.xml...) are template sources, not assets
                continue
            if root is not None and root.resolve() == docs.resolve():
                if not publisher.is_published(file.src_uri):
                    files.remove(file)
                elif refusal := active_attachment(file.src_uri):
                    raise PluginError(refusal)
        incremental = self.previewing and self.dirty
        for path, markdown in publisher.added_pages().items():
            if incremental and path in publisher.smelter_pages and not publisher.stale(path):
                continue  # a preview's smelter page that would read the same: its page stays as written
            inclusion = InclusionLevel.NOT_IN_NAV if publisher.outside_nav(path) else InclusionLevel.UNDEFINED
            files.append(File.generated(config, path, content=markdown, inclusion=inclusion))
        publisher.start_downloads()
        if incremental and not publisher.rendered_before:  # a preview's first build: the other core helps
            publisher.render_smelter_bodies_aside([Page(f.src_uri, f.url) for f in files
                                                   if f.generated_by and f.src_uri in publisher.smelter_pages])
        if incremental:
            # Decided once, before any page renders: its inputs changed, or (a file under docs/) its
            # Markdown was saved since its page was written.
            for file in (f for f in files if f.src_uri.endswith(".md")):
                render = publisher.stale(file.src_uri) or (not file.generated_by and file.is_modified())
                file.is_modified = lambda render=render: render
        return files

    def on_env(self, env, config, files):
        if self.previewing and self.dirty:
            env.bytecode_cache = _COMPILED  # the theme's templates compiled once per preview, not per save
        return env

    @event_priority(100)  # macros first: other plugins see the rendered Markdown
    def on_page_markdown(self, markdown, page, config, files):
        try:
            markdown = self.publisher.render_markdown(_page(page), markdown)
        except PublishError as exc:
            raise PluginError(str(exc)) from None
        if self.config.dump_markdown_to:
            target = Path(self.config.dump_markdown_to) / page.file.src_uri
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(self.publisher.slots.expand(markdown), encoding="utf-8")
            (Path(self.config.dump_markdown_to) / "nav.json").write_text(json.dumps(config.nav), encoding="utf-8")
        return markdown

    def on_page_content(self, html, page, config, files):
        self.publisher.keep_content(_page(page), html)
        return html

    def on_pre_build(self, config):
        self._nav_memo: dict = {}  # the sidebars of smelter pages, by their table of contents (main.html)
        self._header_memo = _HeaderMemo()  # their header, but for the title

    def on_page_context(self, context, page, config, nav):
        context.update(self.publisher.page_context(_page(page)))
        if page.file.src_uri in self.publisher.smelter_pages:
            context["cm_nav_memo"] = (self._nav_memo, _toc_key(page.toc))
            context["cm_header_memo"] = self._header_memo
        return context

    def on_post_page(self, output, page, config):
        return self.publisher.finish_page(output)

    def on_post_template(self, output_content, template_name, config):
        """Pages made from a theme template alone (404.html) get their policy too."""
        return self.publisher.finish_template_page(output_content) if template_name.endswith(".html") else output_content

    @event_priority(-100)  # after the search plugin has written its index
    def on_post_build(self, config):
        site_dir = Path(config.site_dir)
        _add_search_entries(site_dir, self.publisher.search_entries())
        try:
            problems = self.publisher.finish(site_dir)
        except (RuntimeError, DataError) as exc:
            raise PluginError(str(exc)) from None
        if problems and self.previewing:
            log.error("a filed year would read differently:\n  " + "\n  ".join(problems))
        elif problems:
            raise PluginError("a filed year would read differently:\n  " + "\n  ".join(problems))

    def on_build_error(self, error):
        if self.publisher is not None:
            self.publisher.abort()


def _live_update_script(content: bytes, epoch: int) -> bytes:
    """The served page with the preview's live update before </body>, where MkDocs puts its reload
    script (LiveReloadServer._inject_js_into_html, which this replaces: same arguments and result)."""
    end = content.rfind(b"</body>")
    end = len(content) if end < 0 else end
    script = environment().get_template("cm/live_update.html").render(
        settings={"epoch": epoch, "request": next(_REQUESTS)},
        script=Markup((TEMPLATES / "cm" / "live-update.js").read_text(encoding="utf-8")))
    return content[:end] + script.encode("utf-8") + content[end:]


_REQUESTS = itertools.count(1)
POLL_SECONDS = 0.1  # MkDocs' file watcher looks for saves every 0.5 s: on average 0.25 s of each save's wait


def _poll_sooner(observer) -> None:
    """Let the preview's file watcher (watchdog's polling observer) look for saves every POLL_SECONDS;
    left as it is if watchdog's attributes are not those of the locked watchdog (7.1). A look at the watched
    folders (docs/, data/, macros/, the package, mkdocs.yml: a few hundred files) takes milliseconds."""
    if observer is None or not hasattr(observer, "_timeout") or not hasattr(observer, "emitters"):
        return
    observer._timeout = POLL_SECONDS  # for the folders watched from now on
    for emitter in observer.emitters:
        if hasattr(emitter, "_timeout"):
            emitter._timeout = POLL_SECONDS


class _MemoryBytecode(BytecodeCache):
    """Compiled templates kept in memory, each checked against its source (Jinja's checksum)."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _MemoryBytecode()


_FIRST_TEXT = re.compile(r"[^>]*>(?:\s*<[^<>]*>)*\s*")  # the rest of a tag, any tags, spaces


class _HeaderMemo:
    """The theme's header of one smelter page, split around the page's title where the header shows
    it (data-md-component="header-topic"), so the next smelter page's is the same with its own
    title in that place: what the theme prints for it, unescaped as the theme prints it."""

    TOPIC = 'data-md-component="header-topic"'

    def __init__(self):
        self.ready = False
        self._before = self._after = ""

    def keep(self, html: str, title) -> str:
        title = str(title)
        topic = html.find(self.TOPIC)
        first_text = _FIRST_TEXT.match(html, topic + len(self.TOPIC)) if topic >= 0 else None
        if first_text and title and html.startswith(title, first_text.end()) and html.count(self.TOPIC) == 1:
            at = first_text.end()  # the title is the first text after the marker
            self._before, self._after, self.ready = html[:at], html[at + len(title):], True
        return html

    def with_title(self, title) -> str:
        return f"{self._before}{title}{self._after}"


def _toc_key(toc) -> tuple:
    return tuple((item.title, item.url, _toc_key(item.children)) for item in toc)


def _page(page) -> Page:
    return Page(page.file.src_uri, page.url)


def _add_search_entries(site_dir: Path, entries: list[dict]) -> None:
    """The search index MkDocs' and Material's search plugins write (search/search_index.json),
    with one entry per smelter added (replacing any earlier ones of the same address)."""
    index_file = site_dir / "search" / "search_index.json"
    if not index_file.is_file() or not entries:
        return
    index = json.loads(index_file.read_text(encoding="utf-8"))
    locations = {e["location"] for e in entries}
    index["docs"] = [d for d in index.get("docs", []) if d["location"] not in locations] + entries
    index_file.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _site_macros(root: Path, module_name: str | None) -> dict | None:
    """The project's own macros: `define_env(env)` in the module named by `macros_module`, with
    env.macro(function, name) and env.variables as in mkdocs-macros (filters: engine.figures)."""
    if not module_name:
        return None
    path = next((p for p in (root / module_name / "__init__.py", root / f"{module_name}.py") if p.is_file()), None)
    if path is None:
        raise PluginError(f"macros_module: {module_name!r} names no {module_name}/__init__.py or {module_name}.py "
                          f"beside mkdocs.yml")
    spec = importlib.util.spec_from_file_location(f"_site_macros_{module_name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    define_env = getattr(module, "define_env", None)
    if define_env is None:
        return None

    class Env:
        def __init__(self):
            self.variables: dict = {}

        def macro(self, function, name=None):
            self.variables[name or function.__name__] = function
            return function

    env = Env()
    define_env(env)
    return env.variables


def main(argv=None) -> int:
    """`build`: the strict build, with the plugin's settings from the command line."""
    parser = argparse.ArgumentParser(prog="python -m disclosures.site.mkdocs_plugin")
    parser.add_argument("command", choices=["build"])
    parser.add_argument("-f", "--config-file", default="mkdocs.yml")
    parser.add_argument("-d", "--site-dir", default="site")
    parser.add_argument("--drafts", action="store_true", help="build the draft years too (with their banner)")
    parser.add_argument("--record-to", help="write what each year shows (its record) into this folder")
    parser.add_argument("--dump-markdown-to", help=argparse.SUPPRESS)
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.WARNING if args.quiet else logging.INFO)
    try:
        config = load_config(args.config_file, site_dir=str(Path(args.site_dir).resolve()), strict=True)
        plugin = config.plugins["disclosures"]
        plugin.config.drafts = "include" if args.drafts else "omit"
        plugin.config.record_to = args.record_to
        plugin.config.dump_markdown_to = args.dump_markdown_to
        build(config)
    except (Abort, MkDocsException) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The MkDocs hooks (mkdocs.yml: `hooks:`), bound from the site package."""
from disclosures.site.hooks import (on_config, on_files, on_page_context, on_page_markdown, on_post_build,
                                    on_post_page, on_pre_build, on_serve, on_startup)

__all__ = ["on_config", "on_files", "on_page_context", "on_page_markdown", "on_post_build", "on_post_page",
           "on_pre_build", "on_serve", "on_startup"]

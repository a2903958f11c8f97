"""How the plugin's own pages are rendered and answered: one security policy for all of them, here only.

The reading, search and place pages show scraped text and run no script at all, so even a sanitiser bug
could not run one there: they are rendered by `render` (Datasette's templates and hooks, without its inline
menu script) and answered by `html_page` with PAGE_HEADERS.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

import jinja2
from datasette.utils.asgi import Response

if TYPE_CHECKING:  # Datasette imports this plugin while datasette.app is being imported
    from datasette.app import Datasette


class _Awaited(jinja2.Template):
    """A template of the synchronous environment, rendered by Datasette's `render_template` like its own.

    Datasette's environment is in Jinja's async mode, where every expression and output chunk goes
    through an awaitable check: 30-40 % of our pages' rendering (search page 1.1 → 0.65 ms, article
    0.84 → 0.58 ms). The only async values Datasette hands a template, the menu links and the crumbs
    (with their permission checks), are awaited first.
    """

    async def render_async(self, *args, **kwargs) -> str:
        context = dict(*args, **kwargs)
        links = await context["menu_links"]()
        crumbs = await context["crumb_items"](request=context.get("request"))
        context.update(menu_links=lambda: links, crumb_items=lambda **_: crumbs)
        return self.render(context)


_ENVIRONMENTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
PAGE_HEADERS = {"Content-Security-Policy": "script-src 'none'; object-src 'none'; base-uri 'none'; "
                                           "frame-src 'none'; form-action 'self'",
                "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}


async def render(datasette: Datasette, name: str, context: dict, request) -> str:
    """Datasette's `render_template` of a page whose template calls nothing async but the crumbs without
    a database or table (base.html's own) and the menu links: the same hooks and the same HTML, without
    Datasette's inline menu script, which PAGE_HEADERS would refuse (an error in the browser's console)."""
    env = _ENVIRONMENTS.get(datasette)
    if env is None:  # after startup: prepare_jinja2_environment has set the filters, which the overlay shares
        env = _ENVIRONMENTS[datasette] = datasette.jinja_env.overlay(enable_async=False, cache_size=50)
        env.template_class = _Awaited
    return await datasette.render_template(env.get_template(name), {**context, "script_free": True}, request=request)


def html_page(html: str) -> Response:
    """A page of `render`, with PAGE_HEADERS, that says its length. Without it uvicorn sends the page in
    chunks and ends it with a third write, an empty chunk: a send() on the socket costs ~0.2 ms of a page's
    CPU, receiver's included."""
    body = html.encode("utf-8")
    return Response(body, headers={**PAGE_HEADERS, "Content-Length": str(len(body))},
                    content_type="text/html; charset=utf-8")

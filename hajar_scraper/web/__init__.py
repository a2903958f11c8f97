"""hajar-scraper's Datasette plugin, registered through the `datasette` entry point: every hook it implements,
each handing over to the module that owns the page or the rule.

Installed, it serves any hajar archive Datasette is given (`datasette news.db`, `hajar serve`): the home,
reading, search and place pages, the feeds, each archive's descriptions and canned queries (archive.yml),
and the lock-down of the whole instance (lockdown.py). Datasette finds this package's templates/ and
static/ itself; the CSS is served at /-/static-plugins/hajar-scraper/hajar.css.
"""

from __future__ import annotations

from datasette import hookimpl

from hajar_scraper.web import archive_metadata, feeds, home, lockdown, pages, place_pages, search_page

PLUGIN = "hajar-scraper"  # the distribution's name, under which Datasette serves static/


@hookimpl
def startup(datasette):
    search_page.load_stemmer()
    lockdown.warn_if_lax(datasette)


@hookimpl
def asgi_wrapper(datasette):
    # The guard goes outermost: what it refuses reaches no other part.
    return lambda app: lockdown.wrap(datasette, search_page.wrap(datasette, app))


@hookimpl
def permission_allowed(action):
    return lockdown.permission(action)


@hookimpl
def register_routes(datasette):
    return [*pages.ROUTES, *search_page.ROUTES, *place_pages.ROUTES, *lockdown.routes(datasette)]


@hookimpl
def get_metadata(datasette, database):
    return archive_metadata.metadata(datasette, database)


@hookimpl
def canned_queries(datasette, database):
    return archive_metadata.queries(datasette, database)


@hookimpl
def prepare_connection(conn):
    pages.add_functions(conn)
    search_page.add_functions(conn)
    feeds.add_functions(conn)


@hookimpl
def prepare_jinja2_environment(env):
    pages.add_filters(env)


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.static_plugins(PLUGIN, "hajar.css")]


@hookimpl
def extra_template_vars(template, database, request, datasette):
    if template == "index.html":
        return lambda: home.home_vars(datasette)
    if template == "hajar_article.html":
        return place_pages.article_vars(database, request, datasette)
    return None


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    return search_page.render_cell(value, column, table) or pages.render_cell(row, value, column, table, database,
                                                                             datasette)


@hookimpl
def register_facet_classes():
    return [place_pages.PlaceFacet]


@hookimpl
def filters_from_request(request, database, table, datasette):
    return place_pages.filters_from_request(request, database, table, datasette)


@hookimpl
def handle_exception(request, exception):
    return feeds.empty_feed_for(request, exception)

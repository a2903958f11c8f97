"""A read-only archive: any method but GET/HEAD/OPTIONS gets 405 before Datasette sees it.

Datasette 0.65 answers a POST to a table or a read-only canned query with a 500; nothing here writes.
"""

from datasette import hookimpl

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def read_only(scope, receive, send):
            if scope["type"] == "http" and scope["method"] not in READ_METHODS:
                await send({"type": "http.response.start", "status": 405,
                            "headers": [(b"allow", b"GET, HEAD, OPTIONS"), (b"content-type", b"text/plain")]})
                await send({"type": "http.response.body", "body": b"This archive is read-only.\n"})
                return
            await app(scope, receive, send)

        return read_only

    return wrap

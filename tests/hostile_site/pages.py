"""The hostile site's pages: WordPress-like markup with an attack in every field a parser reads.

Every script payload sets the global PWNED (`window.__hajarPwned`) when it runs, so a browser test can
tell that none did. `base` is the site's own origin, `other` another port of the same host.
"""

from __future__ import annotations

import json
from html import escape

PWNED = "__hajarPwned"
PAYLOAD_PATH = "/2021/05/25/banjir-rob-rendam-pasar/"
BODY_REFRESH_PATH = "/2021/05/26/refresh-di-tengah-berita/"
BODY_REFRESH_TARGET = "/2021/05/26/sasaran-refresh/"
HEAD_REFRESH_PATH = "/2021/05/27/halaman-pindah/"
HEAD_REFRESH_TARGET = "/2021/05/27/halaman-baru/"
NOT_FOUND_PATH = "/2021/06/01/halaman-hilang/"
STORY = ("Warga Kelurahan Tungkal Harapan membersihkan lumpur sisa banjir rob yang merendam los pasar sejak"
         " subuh, sementara petugas kebersihan mengangkut sampah yang terbawa air pasang ke jalan utama.")


def script(n: int) -> str:
    """A payload that, run anywhere, marks the page."""
    return f"window.{PWNED}={n}"


def _page(title: str, head: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="id-ID">\n<head>\n<meta charset="UTF-8">\n<title>{title}</title>\n{head}\n'
            f'</head>\n<body class="post-template-default single single-post">\n<div id="page" class="site">\n'
            f'<main id="primary" class="site-main">\n{body}\n</main>\n'
            '<footer id="colophon" class="site-footer">Hajarnews.com</footer>\n</div>\n</body>\n</html>\n')


def payload_article(base: str, other: str) -> str:
    """A story whose title, standfirst, byline, editor, terms, images, captions, JSON-LD, body and
    corrections each carry markup that would run script if shown unescaped or unsanitised."""
    jsonld = json.dumps({
        "@context": "https://schema.org", "@type": "NewsArticle",
        "headline": f"Banjir Rob Rendam Pasar </script><script>{script(1)}</script>",
        "datePublished": "2021-05-25T16:42:00+07:00", "dateModified": "2021-05-25T18:00:00+07:00",
        "author": {"@type": "Person", "name": f"Budi Santoso<img src=x onerror={script(2)}>"},
        "image": [f"javascript:{script(3)}", f"{base}/wp-content/uploads/2021/05/banjir.jpg"],
        "description": f"Air pasang merendam los pasar.<svg onload={script(4)}>",
    }).replace("</", "<\\/")
    head = "\n".join([
        f'<meta name="description" content="Air pasang merendam los pasar &quot;&gt;&lt;svg onload={script(5)}&gt;">',
        '<meta property="og:title" content="Banjir Rob Rendam Pasar &lt;script&gt;' + script(6) + '&lt;/script&gt;">',
        '<meta property="article:published_time" content="2021-05-25T09:42:00+00:00">',
        f'<meta property="og:image" content="data:image/svg+xml,&lt;svg onload={script(7)}&gt;">',
        f'<meta name="author" content="Budi Santoso&lt;script&gt;{script(8)}&lt;/script&gt;">',
        f'<link rel="stylesheet" href="{other}/evil.css">',
        f'<script>{script(9)}</script>',
        f'<script type="application/ld+json">{jsonld}</script>',
    ])
    body = f"""<article id="post-9" class="post-9 post type-post status-publish format-standard hentry">
<header class="entry-header">
<span class="cat-links"><a href="{base}/category/daerah/" rel="category tag">Daerah&lt;img src=x onerror={script(10)}&gt;</a>, <a href="{base}/category/peristiwa/" rel="category tag">Peristiwa<script>{script(11)}</script></a></span>
<h1 class="entry-title">Banjir Rob Rendam Pasar &lt;script&gt;{script(12)}&lt;/script&gt;</h1>
<div class="entry-meta"><span class="posted-on"><time class="entry-date published" datetime="2021-05-25T16:42:00+07:00">Selasa, 25 Mei 2021</time></span> <span class="byline">Oleh <span class="author vcard"><a class="url fn n" href="javascript:{script(13)}">Budi Santoso<script>{script(14)}</script></a></span></span></div>
</header>
<div class="entry-content">
<p>Kualatungkal, Hajarnews.com – {STORY}<script>{script(15)}</script></p>
<p onclick="{script(16)}" style="background:url({other}/bg.png)">Pedagang <a href="javascript:{script(17)}">mengeluh</a> dagangan mereka rusak; <a href="{other}/keluar" onmouseover="{script(18)}">tautan keluar</a> dan <a href="data:text/html,&lt;script&gt;{script(19)}&lt;/script&gt;">data</a>.</p>
<figure class="wp-block-image"><img src="{base}/wp-content/uploads/2021/05/banjir.jpg" alt="x&quot; onerror=&quot;{script(20)}" onerror="{script(21)}"><figcaption>Los pasar terendam &lt;img src=x onerror={script(22)}&gt; (Foto: Hajarnews&lt;script&gt;{script(23)}&lt;/script&gt;)</figcaption></figure>
<figure><img src="javascript:{script(24)}"><figcaption>Gambar palsu</figcaption></figure>
<figure><img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"><figcaption>Gambar data</figcaption></figure>
<iframe src="{other}/bingkai" srcdoc="&lt;script&gt;parent.{script(25)}&lt;/script&gt;"></iframe>
<svg><script>{script(26)}</script><animate onbegin="{script(27)}"/></svg>
<math><mtext><table><mglyph><style><img src=x onerror="{script(28)}"></style></mglyph></table></mtext></math>
<noscript><p title="</noscript><img src=x onerror={script(29)}>">catatan</p></noscript>
<form action="{other}/kirim"><input name="q" autofocus onfocus="{script(30)}"><button formaction="javascript:{script(31)}">Kirim</button></form>
<object data="{other}/objek"></object><embed src="{other}/tanam"><base href="{other}/">
<style>@import url({other}/evil.css); body {{ background: url({other}/latar.png) }}</style>
<p>Camat meminta warga waspada.\x00 Air laut diperkirakan kembali pasang malam ini, kata petugas BPBD.</p>
<p>Editor: Hendri&lt;script&gt;{script(32)}&lt;/script&gt;</p>
<p>Ralat: sebelumnya tertulis pasar Parit Satu &lt;img src=x onerror={script(33)}&gt;.</p>
</div>
<footer class="entry-footer"><span class="tags-links">Tag: <a href="{base}/tag/banjir/" rel="tag">Banjir&lt;iframe src=javascript:{script(34)}&gt;</a>, <a href="{base}/tag/rob/" rel="tag">&quot;&gt;&lt;svg/onload={script(35)}&gt;</a></span></footer>
</article>"""
    return _page(f"Banjir Rob Rendam Pasar &lt;script&gt;{script(36)}&lt;/script&gt; - Hajarnews.com", head, body)


def _story_page(title: str, body_extra: str = "", head_extra: str = "", when: str = "2021-05-26T10:00:00+07:00") -> str:
    head = f'<meta property="article:published_time" content="{when}">{head_extra}'
    body = (f'<article class="post type-post"><header class="entry-header"><h1 class="entry-title">{escape(title)}</h1>'
            f'<time class="entry-date published" datetime="{when}">{when[:10]}</time></header>'
            f'<div class="entry-content">{body_extra}<p>Kualatungkal, Hajarnews.com – {STORY}</p>'
            '<p>Lurah setempat meminta warga bergotong royong membersihkan saluran air sebelum pasang berikutnya.</p>'
            '</div></article>')
    return _page(f"{escape(title)} - Hajarnews.com", head, body)


def body_refresh_article(base: str) -> str:
    """A story with a refresh inside its body, early enough for a scanner of the first 4 KB to see it."""
    refresh = f'<meta http-equiv="refresh" content="0;url={base}{BODY_REFRESH_TARGET}">'
    return _story_page("Pasang Naik, Warga Diminta Waspada", body_extra=refresh)


def head_refresh_page(base: str) -> str:
    """A page that moved and says so the old way: a refresh in its head."""
    return _page("Pindah", f'<meta http-equiv="refresh" content="0;url={base}{HEAD_REFRESH_TARGET}">',
                 f'<p>Halaman ini pindah ke <a href="{base}{HEAD_REFRESH_TARGET}">alamat baru</a>.</p>')


def moved_article() -> str:
    return _story_page("Dermaga Baru Mulai Dipakai Nelayan", when="2021-05-27T09:00:00+07:00")


def refresh_target() -> str:
    """Where the body's refresh points: a listing, which gives no article (the crawl must never ask)."""
    return _page("Arsip", "", "<h1>Arsip</h1><ul><li><a href='/'>Beranda</a></li></ul>")


def not_found_page() -> str:
    """A soft 404 whose title, quoted in the reject's detail, carries a payload."""
    return _page(f"Halaman tidak ditemukan &lt;script&gt;{script(37)}&lt;/script&gt; - Hajarnews.com", "",
                 '<section class="error-404 not-found"><h1 class="page-title">Halaman tidak ditemukan</h1></section>')

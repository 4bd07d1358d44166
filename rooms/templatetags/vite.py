"""`{% vite_assets "src/room.ts" %}`: the built script and styles of a frontend entry.

Reads Vite's manifest (frontend/dist/.vite/manifest.json), so pages always point at the
hashed files of the current build; whitenoise serves them under STATIC_URL.
"""

import json
from functools import cache
from pathlib import Path

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

MANIFEST = Path(settings.BASE_DIR) / "frontend" / "dist" / ".vite" / "manifest.json"


@cache
def _load(path: Path, mtime_ns: int) -> dict:
    return json.loads(path.read_text())


def manifest() -> dict:
    try:
        return _load(MANIFEST, MANIFEST.stat().st_mtime_ns)
    except FileNotFoundError:
        raise RuntimeError("The frontend is not built: run `make frontend`.") from None


def _styles(chunks: dict, name: str, seen: set[str]) -> list[str]:
    """The entry's styles and those of every chunk it imports statically (Vite's runtime
    loads those only for dynamic imports: a page must link them itself)."""
    if name in seen:
        return []
    seen.add(name)
    chunk = chunks[name]
    found = [css for name in chunk.get("imports", []) for css in _styles(chunks, name, seen)]
    return found + [css for css in chunk.get("css", []) if css not in found]


@register.simple_tag
def vite_assets(entry: str) -> SafeString:
    chunks = manifest()
    chunk = chunks[entry]
    css = list(dict.fromkeys(_styles(chunks, entry, set())))
    styles = format_html_join("", '<link rel="stylesheet" href="{}">', ((static(c),) for c in css))
    script = format_html('<script type="module" src="{}"></script>', static(chunk["file"]))
    return format_html("{}{}", styles, script)

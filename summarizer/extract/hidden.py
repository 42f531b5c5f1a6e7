"""Text a reader of the page cannot see, taken out before the page's text is extracted.

Pages carry instructions for whatever AI reads them where people do not look: HTML comments,
`display:none`, `visibility:hidden`, `aria-hidden`, the `hidden` attribute, zero-size or
transparent text, text moved off screen, `<noscript>` and `<template>`. None of it is the page a
reader sees, so none of it reaches the model. What the HTML itself says is all there is here (no
layout engine): inline styles, top-level `<style>` rules on a plain class or id, and the
attributes; the browser extension sends the rendered page and drops what its browser hides.
"""

import re

import lxml.html
from lxml import etree

HIDING = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|opacity\s*:\s*0(?:\.0*)?\s*(?:;|$|!)"
    r"|font-size\s*:\s*0(?:\.0*)?(?:px|em|rem|pt|%)?\s*(?:;|$|!)|(?<![\w-])color\s*:\s*transparent"
    r"|(?:left|top|right|text-indent|margin-left|margin-top)\s*:\s*-\d{3,}(?:\.\d+)?(?:px|em|rem|pt)"
    r"|clip\s*:\s*rect\(\s*0[^)]*\)|clip-path\s*:\s*inset\(\s*50%"
    r"|(?:^|;)\s*(?:width|height|max-width|max-height)\s*:\s*0(?:px)?\s*(?:;|$|!)", re.I)
"""Declarations that hide an element's text: not displayed, invisible, fully transparent, of size
zero, moved 100 px or more off screen (the "-9999px" trick), clipped to nothing, or in a box of
zero width or height. A zero margin or a small negative offset (layout) is not hiding."""

NEVER_SHOWN = ("noscript", "template")
"""Elements whose content the page never shows while scripts run (the extension's browser runs
them; a reader sees the scripted page)."""

_SIMPLE_SELECTOR = re.compile(r"^\s*([.#]?)([\w-]+)\s*$")


def visible(html):
    """`html` (text) without comments and the elements it hides; unchanged when it cannot be
    parsed (the extractor then does what it can with it)."""
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return html
    for comment in root.xpath("//comment()"):
        _drop(comment)
    hidden_by_sheet = _sheet_selectors(root)
    for element in list(root.iter(etree.Element)):
        if element.getparent() is None and element is not root:
            continue  # inside an element already dropped
        if _hidden(element, hidden_by_sheet):
            _drop(element)
    return lxml.html.tostring(root, encoding="unicode")


def _hidden(element, hidden_by_sheet):
    """Whether the element's own attributes, inline style or the page's style rules hide it."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag.lower() in NEVER_SHOWN or element.get("hidden") is not None:
        return True
    if (element.get("aria-hidden") or "").strip().lower() == "true":
        return True
    if HIDING.search(element.get("style") or ""):
        return True
    classes = {f".{c}" for c in (element.get("class") or "").split()}
    ids = {f"#{element.get('id')}"} if element.get("id") else set()
    return bool((classes | ids) & hidden_by_sheet) and tag.lower() not in ("html", "body")


def _sheet_selectors(root):
    """Plain class and id selectors (".class", "#id") that the page's top-level <style> rules
    hide. Rules inside @media (a menu hidden on phones only), @keyframes and other at-rules are
    left out, and so are tag selectors ("from"/"to" of a keyframe look like one)."""
    found = set()
    for style in root.iter("style"):
        for selectors, body in _top_level_rules(style.text or ""):
            if not HIDING.search(body):
                continue
            for selector in selectors.split(","):
                match = _SIMPLE_SELECTOR.match(selector)
                if match and match.group(1):
                    found.add(match.group(1) + match.group(2))
    return found


def _top_level_rules(css):
    """(selectors, declarations) of the rules of `css` that no at-rule encloses."""
    rules, depth, start, selector = [], 0, 0, ""
    for position, char in enumerate(css):
        if char == "{":
            if depth == 0:
                selector, start = css[start:position], position + 1
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            if depth == 0:
                if not selector.strip().startswith("@") and "{" not in css[start:position]:
                    rules.append((selector, css[start:position]))
                start = position + 1
    return rules


def _drop(node):
    """Remove `node` and its content, keeping the text that follows it (its tail)."""
    parent = node.getparent()
    if parent is None:
        return
    tail = node.tail or ""
    previous = node.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(node)
